/**
 * Cross-field rules of the `aws-sqs` connector, run when the config is saved and again in the
 * connection check: CONFIG_INVALID naming the field for what cannot work (half a key pair, a
 * region that is not the queue's); warnings for what works but is likely a mistake.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { resolveSqsConfig, type SqsConfig } from './config-spec.ts';
import { parseQueueUrl } from './queue-url.ts';

const LOOPBACK = /^https?:\/\/(127\.|localhost|\[::1\])/;

/** Cross-field rules; returns warnings, throws CONFIG_INVALID. */
export function validateSqsConfig(config: SqsConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const invalid = (field: string, message: string): CloudbridgeError => new CloudbridgeError('CONFIG_INVALID', message, { field });
  if (Boolean(config.accessKeyId) !== Boolean(config.secretAccessKey)) {
    const missing = config.accessKeyId ? 'secretAccessKey' : 'accessKeyId';
    throw invalid(missing, `${missing} is missing: set both accessKeyId and secretAccessKey, or neither to use the AWS SDK default provider chain`);
  }
  if (config.sessionToken && !config.accessKeyId) {
    throw invalid('sessionToken', 'sessionToken is set without accessKeyId and secretAccessKey: temporary credentials need all three');
  }
  const c = resolveSqsConfig(config, env);
  for (const [field, url] of [['queueUrl', c.queueUrl], ['downlinkQueueUrl', c.downlinkQueueUrl]] as const) {
    if (!url) continue;
    const q = parseQueueUrl(url);
    if (!q.name) throw invalid(field, `${field} "${url}" names no queue: use the queue URL from the SQS console (https://sqs.<region>.amazonaws.com/<account>/<queue>)`);
    if (config.region && q.region && q.region !== config.region) {
      throw invalid('region', `region is ${config.region} but ${field} is a queue in ${q.region}: a queue can only be reached in its own region. Set region to ${q.region} (or leave it empty).`);
    }
  }
  if (c.maxInFlight < c.maxMessages) throw invalid('maxInFlight', `maxInFlight (${c.maxInFlight}) must be at least maxMessages (${c.maxMessages})`);
  const warnings: string[] = [];
  if (config.redelivery) warnings.push('redelivery is ignored: a message that could not be stored becomes visible again after the pipeline\'s own retry delay (the same for every connector). Remove redelivery from the config');
  if (!c.region) warnings.push('no region: it is neither set nor part of queueUrl nor in AWS_REGION; the AWS SDK will look in the shared config file and fail to start if it finds none. Set region');
  if (c.visibilityTimeoutSeconds !== undefined && c.visibilityTimeoutSeconds < 10) {
    warnings.push(`visibilityTimeoutSeconds is ${c.visibilityTimeoutSeconds}: Cloudbridge extends it every ${c.visibilityTimeoutSeconds / 2} s per message in flight, and a network hiccup longer than that makes SQS redeliver (recognised as duplicates, but wasted work). 30 or more is usual`);
  }
  if (c.endpoint && c.endpoint.startsWith('http://') && !LOOPBACK.test(c.endpoint)) {
    warnings.push(`endpoint ${c.endpoint} uses plain http: message bodies travel unencrypted. Use https`);
  }
  if (c.credentials?.accessKeyId.startsWith('ASIA') && !c.credentials.sessionToken) {
    warnings.push('accessKeyId starts with ASIA (temporary credentials) but no sessionToken is set: AWS will reject it');
  }
  return warnings;
}

/**
 * The `aws-sqs` connector: long-polls an SQS queue (standard or FIFO), deletes each message only
 * after it is stored (or dead-lettered), keeps received messages invisible with a visibility
 * heartbeat, and sends downlinks to another queue.
 */
import type { CheckResult, ConnectorDefinition } from '../../core/connector.ts';
import { CloudbridgeError, toCloudbridgeError } from '../../core/errors.ts';
import { resolveSqsConfig, SqsConfigSpec, type ResolvedSqsConfig, type SqsConfig } from './config-spec.ts';
import { checkSqsConnection } from './connection-check.ts';
import { parseQueueUrl } from './queue-url.ts';
import { SdkSqsApi } from './sdk-sqs-api.ts';
import type { SqsApi } from './sqs-api.ts';
import { SqsSource } from './sqs-source.ts';
import { SQS_PITFALLS } from './pitfalls.ts';

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

export function sdkApiFor(c: ResolvedSqsConfig, maxAttempts?: number): SqsApi {
  return new SdkSqsApi({
    region: c.region,
    endpoint: c.endpoint,
    credentials: c.credentials,
    waitTimeSeconds: c.waitTimeSeconds,
    // Receivers, their deletes and releases, heartbeats, attribute refresh and downlinks.
    maxConcurrency: c.maxReceivers * 3 + 8,
    maxAttempts,
  });
}

export const awsSqsConnector: ConnectorDefinition<typeof SqsConfigSpec> = {
  type: 'aws-sqs',
  title: 'AWS SQS',
  description: 'Consumes an Amazon SQS queue (standard or FIFO) with long polling. A message is deleted from the queue only after its results, or its dead letter, are stored; until then a visibility heartbeat keeps it invisible, however long the store takes. A message that could not be stored becomes visible again after the pipeline\'s retry delay. The MessageId makes redeliveries harmless: nothing is stored twice. The body reaches the converter as bytes, whatever its format (JSON, text, base64); metadata carries messageId, approximateReceiveCount, sentTimestamp, messageGroupId (FIFO) and every message attribute. Telemetry the converter returns without ts is stored at the message\'s SentTimestamp (the time SQS accepted it), not at the time Cloudbridge received it. FIFO queues keep order per MessageGroupId. Downlinks are sent with SendMessage to downlinkQueueUrl.',
  configSpec: SqsConfigSpec,
  capabilities: { downlink: true, redelivery: 'visibility-timeout' },
  validate: (config) => validateSqsConfig(config),
  create(config, ctx) {
    const c = resolveSqsConfig(config);
    return new SqsSource({ config: c, createApi: () => sdkApiFor(c) }, ctx);
  },
  async testConnection(config, signal): Promise<CheckResult> {
    try {
      validateSqsConfig(config);
    } catch (err) {
      const error = toCloudbridgeError(err, 'CONFIG_INVALID');
      return { ok: false, checks: [{ name: 'config', ok: false, message: error.message }], error: { code: error.code, message: error.message } };
    }
    const c = resolveSqsConfig(config);
    return checkSqsConnection(c, sdkApiFor(c, 1), signal);
  },
  pitfalls: SQS_PITFALLS,
};

/** Cross-field rules of the `aws-kinesis` config: warnings for what works but is likely a mistake, CONFIG_INVALID naming the field for what cannot work. */
import { CloudbridgeError } from '../../core/errors.ts';
import { parseStreamArn, resolveKinesisConfig, type KinesisConfig } from './config-spec.ts';

const LOOPBACK = /^https?:\/\/(127\.|localhost|\[::1\])/;

/** Cross-field rules; returns warnings, throws CONFIG_INVALID. */
export function validateKinesisConfig(config: KinesisConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const invalid = (field: string, message: string): CloudbridgeError => new CloudbridgeError('CONFIG_INVALID', message, { field });
  if (!config.streamName && !config.streamArn) throw invalid('streamName', 'streamName is missing: give the name of the stream to read (or its streamArn)');
  const arn = config.streamArn ? parseStreamArn(config.streamArn) : null;
  if (config.streamArn && !arn) throw invalid('streamArn', `streamArn "${config.streamArn}" is not a stream ARN: it looks like arn:aws:kinesis:<region>:<account>:stream/<name>`);
  if (arn && config.streamName && arn.name !== config.streamName) {
    throw invalid('streamName', `streamName is "${config.streamName}" but streamArn names stream "${arn.name}": give one of them, or make them agree`);
  }
  if (arn && config.region && arn.region !== config.region) {
    throw invalid('region', `region is ${config.region} but streamArn is a stream in ${arn.region}: a stream can only be read in its own region. Set region to ${arn.region} (or leave it empty).`);
  }
  if (Boolean(config.accessKeyId) !== Boolean(config.secretAccessKey)) {
    const missing = config.accessKeyId ? 'secretAccessKey' : 'accessKeyId';
    throw invalid(missing, `${missing} is missing: set both accessKeyId and secretAccessKey, or neither to use the AWS SDK default provider chain`);
  }
  if (config.sessionToken && !config.accessKeyId) {
    throw invalid('sessionToken', 'sessionToken is set without accessKeyId and secretAccessKey: temporary credentials need all three');
  }
  const warnings: string[] = [];
  if (config.initialPosition === 'AT_TIMESTAMP') {
    if (!config.initialTimestamp) throw invalid('initialTimestamp', 'initialPosition is AT_TIMESTAMP but initialTimestamp is missing: give the arrival time to start from, e.g. 2026-01-31T00:00:00Z');
    const at = Date.parse(config.initialTimestamp);
    if (!Number.isFinite(at)) throw invalid('initialTimestamp', `initialTimestamp "${config.initialTimestamp}" is not a valid date and time (ISO 8601, e.g. 2026-01-31T00:00:00Z)`);
    if (at > Date.now()) throw invalid('initialTimestamp', `initialTimestamp ${config.initialTimestamp} is in the future: Kinesis refuses iterators at a future time. Use LATEST to read from now on`);
  } else if (config.initialTimestamp) {
    warnings.push(`initialTimestamp is set but initialPosition is ${config.initialPosition ?? 'LATEST'}: it is only used with AT_TIMESTAMP`);
  }
  const c = resolveKinesisConfig(config, 'integration', env);
  if (!c.region) warnings.push('no region: it is neither set nor part of streamArn nor in AWS_REGION; the AWS SDK will look in the shared config file and fail to start if it finds none. Set region');
  if (c.endpoint && c.endpoint.startsWith('http://') && !LOOPBACK.test(c.endpoint)) {
    warnings.push(`endpoint ${c.endpoint} uses plain http: records travel unencrypted. Use https`);
  }
  if (c.credentials?.accessKeyId.startsWith('ASIA') && !c.credentials.sessionToken) {
    warnings.push('accessKeyId starts with ASIA (temporary credentials) but no sessionToken is set: AWS will reject it');
  }
  if (c.pollIntervalMs < 1000 && c.maxRecords === 10_000) {
    warnings.push(`pollIntervalMs ${c.pollIntervalMs} with maxRecords 10000: a shard serves at most 2 MB per second to all its consumers; expect KINESIS_THROTTLED warnings on a busy shard with large records`);
  }
  return warnings;
}

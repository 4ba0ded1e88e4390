/**
 * The `aws-kinesis` connector: reads a Kinesis data stream shard by shard (polling GetRecords),
 * splits the shards between the Cloudbridge instances that share one database by leases with
 * fencing tokens, commits each shard's checkpoint in the same transaction as its data, keeps order
 * per partition key across splits and merges, de-aggregates KPL records, and puts downlinks on
 * another stream.
 */
import type { CheckResult, ConnectorDefinition } from '../../core/connector.ts';
import { CloudbridgeError, toCloudbridgeError } from '../../core/errors.ts';
import { KinesisConfigSpec, parseStreamArn, resolveKinesisConfig, type KinesisConfig, type ResolvedKinesisConfig } from './config-spec.ts';
import { checkKinesisConnection } from './connection-check.ts';
import { KINESIS_GUIDE } from './guide.ts';
import type { KinesisApi } from './kinesis-api.ts';
import { KinesisSource } from './kinesis-source.ts';
import { KINESIS_PITFALLS } from './pitfalls.ts';
import { SdkKinesisApi } from './sdk-kinesis-api.ts';

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

export function sdkApiFor(c: ResolvedKinesisConfig, maxAttempts?: number): KinesisApi {
  return new SdkKinesisApi({ region: c.region, endpoint: c.endpoint, credentials: c.credentials, maxConcurrency: 64, maxAttempts });
}

export const awsKinesisConnector: ConnectorDefinition<typeof KinesisConfigSpec> = {
  type: 'aws-kinesis',
  title: 'AWS Kinesis Data Streams',
  description: 'Reads an Amazon Kinesis data stream, one reader per shard (GetRecords polling). The instances of Cloudbridge that share one database split the shards fairly by leases and take over the shards of an instance that stops or dies. Each shard\'s checkpoint is committed in the same transaction as its data, so a crash, a restart or a takeover neither loses nor duplicates a record; an instance frozen past its lease stores nothing when it resumes (fencing). After a split or merge a child shard is read only once its parents are finished, which keeps the order per partition key. KPL-aggregated records are split into their user records. The data reaches the converter as bytes; metadata carries streamName, shardId, sequenceNumber, subSequenceNumber, partitionKey and approximateArrivalTimestamp, and telemetry without ts is stored at the arrival time. Downlinks are put to downlinkStreamName.',
  configSpec: KinesisConfigSpec,
  capabilities: { downlink: true, redelivery: 'checkpoint' },
  validate: (config) => validateKinesisConfig(config),
  create(config, ctx) {
    const c = resolveKinesisConfig(config, ctx.integrationName);
    return new KinesisSource({ config: c, createApi: () => sdkApiFor(c) }, ctx);
  },
  async testConnection(config, signal): Promise<CheckResult> {
    try {
      validateKinesisConfig(config);
    } catch (err) {
      const error = toCloudbridgeError(err, 'CONFIG_INVALID');
      return { ok: false, checks: [{ name: 'config', ok: false, message: error.message }], error: { code: error.code, message: error.message } };
    }
    const c = resolveKinesisConfig(config, 'connection-check');
    return checkKinesisConnection(c, sdkApiFor(c, 1), signal);
  },
  pitfalls: KINESIS_PITFALLS,
  guide: KINESIS_GUIDE,
};

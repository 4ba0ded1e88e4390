/**
 * The `aws-kinesis` connector: reads a Kinesis data stream shard by shard (polling GetRecords),
 * splits the shards between the Cloudbridge instances that share one database by leases with
 * fencing tokens, commits each shard's checkpoint in the same transaction as its data, keeps order
 * per partition key across splits and merges, de-aggregates KPL records, and puts downlinks on
 * another stream.
 */
import { type CheckResult, type ConnectorDefinition, configCheckFailure } from '../../core/connector.ts';
import { KinesisConfigSpec, resolveKinesisConfig, type ResolvedKinesisConfig } from './config-spec.ts';
import { checkKinesisConnection } from './connection-check.ts';
import { KINESIS_GUIDE } from './guide.ts';
import type { KinesisApi } from './kinesis-api.ts';
import { KinesisSource } from './kinesis-source.ts';
import { KINESIS_PITFALLS } from './pitfalls.ts';
import { validateKinesisConfig } from './validate.ts';

/**
 * A Kinesis client on the AWS SDK for this config. The SDK is imported here, on first use (an
 * integration starting or testing its connection), never when the plugin is loaded.
 */
export async function sdkApiFor(c: ResolvedKinesisConfig, maxAttempts?: number): Promise<KinesisApi> {
  const { SdkKinesisApi } = await import('./sdk-kinesis-api.ts');
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
      return configCheckFailure(err);
    }
    const c = resolveKinesisConfig(config, 'connection-check');
    return checkKinesisConnection(c, await sdkApiFor(c, 1), signal);
  },
  pitfalls: KINESIS_PITFALLS,
  guide: KINESIS_GUIDE,
};

/**
 * The `aws-kinesis` connector plugin. The SDK client (`sdk-kinesis-api.ts`, on
 * @aws-sdk/client-kinesis) is not exported: `sdkApiFor` loads it on first use, so importing the
 * plugin loads no SDK.
 */
export { awsKinesisConnector, sdkApiFor } from './definition.ts';
export { validateKinesisConfig } from './validate.ts';
export { KinesisConfigSpec, resolveKinesisConfig, parseStreamArn, KINESIS_DEFAULTS, type KinesisConfig, type ResolvedKinesisConfig } from './config-spec.ts';
export { KinesisSource, KINESIS_DEDUPE, defaultOwnerId, type KinesisSourceOptions, type ShardStatus } from './kinesis-source.ts';
export type { SdkKinesisSettings } from './sdk-kinesis-api.ts';
export type { KinesisApi, KinesisApiFactory, KinesisRecord, KinesisShard, GetRecordsResult, IteratorStart, StreamSummary, PutRecordRequest } from './kinesis-api.ts';
export { translateKinesisError, kinesisErrorCode, isCredentialsError } from './kinesis-errors.ts';
export { deaggregate, KPL_MAGIC, type UserRecord } from './kpl.ts';
export { toShardMessages } from './uplink-message.ts';
export { buildPutRecord } from './downlink.ts';

/**
 * Config spec of the `aws-kinesis` connector, its defaults, and the resolved config (defaults
 * applied, stream name and region taken from streamArn when given).
 */
import { Type, type Static } from '@sinclair/typebox';
import { awsConnectionFields, resolveAwsConnection, type AwsStaticCredentials } from '../aws-common/index.ts';

export const KINESIS_DEFAULTS = {
  initialPosition: 'LATEST' as InitialPosition,
  maxRecords: 10_000,
  pollIntervalMs: 1000,
  shardSyncIntervalSeconds: 60,
  leaseDurationSeconds: 10,
} as const;

export type InitialPosition = 'LATEST' | 'TRIM_HORIZON' | 'AT_TIMESTAMP';

const STREAM_NAME = '^[a-zA-Z0-9_.-]{1,128}$';
const STREAM_ARN = '^arn:aws[a-z-]*:kinesis:[a-z]{2}(-[a-z]+)+-\\d+:\\d{12}:stream/[a-zA-Z0-9_.-]{1,128}$';

export const KinesisConfigSpec = Type.Object({
  streamName: Type.Optional(Type.String({
    pattern: STREAM_NAME,
    description: 'Name of the data stream to read. Give streamName or streamArn.',
    examples: ['telemetry'],
  })),
  streamArn: Type.Optional(Type.String({
    pattern: STREAM_ARN,
    description: 'ARN of the data stream, instead of streamName; its region and name are taken from it (requests still name the stream, so a stream of another account cannot be read this way).',
    examples: ['arn:aws:kinesis:eu-west-1:123456789012:stream/telemetry'],
  })),
  ...awsConnectionFields({
    region: 'AWS region of the stream. Default: taken from streamArn, else the AWS_REGION environment variable.',
    endpoint: 'Endpoint override: an interface VPC endpoint, or a local Kinesis emulator for tests. Default: the regional AWS endpoint.',
    endpointExamples: ['https://vpce-0123456789abcdef0-abcdefgh.kinesis.eu-west-1.vpce.amazonaws.com', 'http://127.0.0.1:4567'],
  }),
  applicationName: Type.Optional(Type.String({
    minLength: 1, maxLength: 128, pattern: '^[a-zA-Z0-9_.-]+$',
    description: 'Name of the shard leases and checkpoints of this integration (like a KCL application name). Instances of Cloudbridge that share one database and run this integration split the stream\'s shards between them. A new name starts over at initialPosition. Default: the integration name.',
    examples: ['plant-telemetry'],
  })),
  initialPosition: Type.Optional(Type.Union([Type.Literal('LATEST'), Type.Literal('TRIM_HORIZON'), Type.Literal('AT_TIMESTAMP')], {
    default: KINESIS_DEFAULTS.initialPosition,
    description: 'Where a shard with no checkpoint is read from: LATEST (records put from now on), TRIM_HORIZON (the oldest record the stream keeps) or AT_TIMESTAMP (initialTimestamp). Only used where no checkpoint exists: once a record of a shard is stored, reading resumes right after it. Shards created by a split or merge are read from their start once their parents are finished.',
    examples: ['TRIM_HORIZON'],
  })),
  initialTimestamp: Type.Optional(Type.String({
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$',
    description: 'With initialPosition AT_TIMESTAMP: the arrival time to start from (ISO 8601, e.g. 2026-01-31T00:00:00Z).',
    examples: ['2026-01-31T00:00:00Z'],
  })),
  maxRecords: Type.Optional(Type.Integer({
    minimum: 1, maximum: 10_000, default: KINESIS_DEFAULTS.maxRecords,
    description: 'Most records asked for per GetRecords call (Kinesis allows at most 10,000 and returns at most 10 MB). A reader starts at 1000 (or less) and doubles its request while the answers come back full.',
    examples: [10_000],
  })),
  pollIntervalMs: Type.Optional(Type.Integer({
    minimum: 200, maximum: 60_000, default: KINESIS_DEFAULTS.pollIntervalMs,
    description: 'Shortest time between two GetRecords calls on one shard. Kinesis allows 5 GetRecords calls per second per shard, shared by every consumer of the stream: 200 uses them all; 1000 (default) leaves room for four more consumers.',
    examples: [1000],
  })),
  shardSyncIntervalSeconds: Type.Optional(Type.Integer({
    minimum: 1, maximum: 3600, default: KINESIS_DEFAULTS.shardSyncIntervalSeconds,
    description: 'How often the shard list is read (ListShards), to find the shards a split or merge created. A reader that reaches the end of a shard also triggers it.',
    examples: [60],
  })),
  leaseDurationSeconds: Type.Optional(Type.Integer({
    minimum: 3, maximum: 600, default: KINESIS_DEFAULTS.leaseDurationSeconds,
    description: 'How long a shard lease lasts without renewal. Leases are renewed every third of it; when an instance dies, another one takes its shards over within about this time. A frozen instance whose lease was taken over stores nothing when it resumes.',
    examples: [10],
  })),
  downlinkStreamName: Type.Optional(Type.String({
    pattern: STREAM_NAME,
    description: 'Stream that downlinks are put to (PutRecord), in the same region and with the same credentials. The partition key is the downlink converter\'s metadata.partitionKey, else metadata.deviceName; metadata.explicitHashKey is used when given.',
    examples: ['commands'],
  })),
}, { additionalProperties: false, title: 'AWS Kinesis' });

export type KinesisConfig = Static<typeof KinesisConfigSpec>;

export interface ResolvedKinesisConfig {
  streamName: string;
  /** Only when configured; requests always name the stream (kinesalite accepts no ARN-only calls). */
  streamArn: string | undefined;
  region: string | undefined;
  credentials: AwsStaticCredentials | undefined;
  endpoint: string | undefined;
  applicationName: string;
  initialPosition: InitialPosition;
  /** Epoch ms, with AT_TIMESTAMP. */
  initialTimestampMs: number | undefined;
  maxRecords: number;
  pollIntervalMs: number;
  shardSyncIntervalSeconds: number;
  leaseDurationSeconds: number;
  downlinkStreamName: string | undefined;
}

/** Region and name of a stream ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
export function parseStreamArn(arn: string): { region: string; account: string; name: string } | null {
  const m = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/(.+)$/.exec(arn);
  return m?.[1] && m[2] && m[3] ? { region: m[1], account: m[2], name: m[3] } : null;
}

export function resolveKinesisConfig(config: KinesisConfig, integrationName: string, env: NodeJS.ProcessEnv = process.env): ResolvedKinesisConfig {
  const arn = config.streamArn ? parseStreamArn(config.streamArn) : null;
  const initialTimestampMs = config.initialTimestamp ? Date.parse(config.initialTimestamp) : undefined;
  return {
    streamName: config.streamName || arn?.name || '',
    streamArn: config.streamArn || undefined,
    ...resolveAwsConnection(config, arn?.region, env),
    applicationName: config.applicationName || integrationName,
    initialPosition: config.initialPosition ?? KINESIS_DEFAULTS.initialPosition,
    initialTimestampMs: initialTimestampMs !== undefined && Number.isFinite(initialTimestampMs) ? initialTimestampMs : undefined,
    maxRecords: config.maxRecords ?? KINESIS_DEFAULTS.maxRecords,
    pollIntervalMs: config.pollIntervalMs ?? KINESIS_DEFAULTS.pollIntervalMs,
    shardSyncIntervalSeconds: config.shardSyncIntervalSeconds ?? KINESIS_DEFAULTS.shardSyncIntervalSeconds,
    leaseDurationSeconds: config.leaseDurationSeconds ?? KINESIS_DEFAULTS.leaseDurationSeconds,
    downlinkStreamName: config.downlinkStreamName || undefined,
  };
}

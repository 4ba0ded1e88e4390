/**
 * The narrow Kinesis interface the connector needs (the SDK stays behind it, sdk-kinesis-api.ts):
 * what a stream and its shards look like, reading a shard, and putting a downlink record.
 */

export interface StreamSummary {
  streamName: string;
  streamArn: string | undefined;
  /** CREATING, DELETING, ACTIVE, UPDATING. */
  status: string;
  openShardCount: number | undefined;
  retentionPeriodHours: number | undefined;
  /** NONE or KMS. */
  encryptionType: string | undefined;
  keyId: string | undefined;
  /** PROVISIONED or ON_DEMAND (undefined where the service does not say). */
  streamMode: string | undefined;
  consumerCount: number | undefined;
}

export interface KinesisShard {
  shardId: string;
  parentShardId: string | undefined;
  adjacentParentShardId: string | undefined;
  startingSequenceNumber: string;
  /** Set once the shard is closed (split or merged): it holds no record after this one. */
  endingSequenceNumber: string | undefined;
  startingHashKey: string;
  endingHashKey: string;
}

export interface KinesisRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  /** Epoch ms. */
  approximateArrivalTimestamp: number | undefined;
  encryptionType: string | undefined;
}

export interface GetRecordsResult {
  records: KinesisRecord[];
  /** Null at the end of a closed shard (SHARD_END). */
  nextShardIterator: string | null;
  millisBehindLatest: number | null;
}

export type IteratorStart =
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestampMs: number }
  | { type: 'AT_SEQUENCE_NUMBER'; sequenceNumber: string }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

export interface PutRecordRequest {
  streamName: string;
  partitionKey: string;
  data: Uint8Array;
  explicitHashKey?: string | undefined;
}

export interface KinesisApi {
  describeStreamSummary(streamName: string, signal?: AbortSignal): Promise<StreamSummary>;
  /** Every shard the stream keeps (open and closed), all pages. */
  listShards(streamName: string, signal?: AbortSignal): Promise<KinesisShard[]>;
  getShardIterator(streamName: string, shardId: string, start: IteratorStart, signal?: AbortSignal): Promise<string>;
  getRecords(shardIterator: string, limit: number, signal?: AbortSignal): Promise<GetRecordsResult>;
  putRecord(req: PutRecordRequest, signal?: AbortSignal): Promise<{ shardId: string; sequenceNumber: string }>;
  /** Which credentials are in use, for error messages: e.g. `access key id AKIA…`. Never a secret. */
  describeCredentials(): Promise<string>;
  /** When the credentials in use expire (epoch ms; null: not known, e.g. long-term keys). */
  credentialExpiry?(): Promise<number | null>;
  /** Closes sockets; the instance is not used afterwards. */
  destroy(): void;
}

/** Creates the client when the source opens. May return a promise: the SDK-backed factory loads the SDK on its first call. */
export type KinesisApiFactory = () => KinesisApi | Promise<KinesisApi>;

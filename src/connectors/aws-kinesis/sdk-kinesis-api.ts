/**
 * KinesisApi on @aws-sdk/client-kinesis.
 *
 * HTTP/1.1, always: the SDK's Kinesis client sends every operation over HTTP/2 by default (its
 * SubscribeToShard needs it) and speaks h2c with prior knowledge to an http:// endpoint, which
 * emulators such as kinesalite do not understand ("Protocol error"); through VPC endpoints and
 * proxies HTTP/1.1 is the safe choice too. `NodeHttpHandler` gives HTTP/1.1 with a keep-alive
 * socket pool sized for one GetRecords per shard plus iterators, list calls and downlinks.
 * Every call has a deadline (a GetRecords answer is at most 10 MB; 30 s is generous).
 *
 * Loaded on first use only (`sdkApiFor` in definition.ts imports it dynamically): nothing else
 * imports this file, so the SDK stays out of memory until an aws-kinesis integration starts or
 * tests its connection.
 */
import {
  DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, PutRecordCommand,
  type KinesisClientConfig, type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsCredentialExpiry, awsSdkClientParts, describeAwsCredentials, type AwsSdkClientSettings } from '../aws-common/index.ts';
import type { GetRecordsResult, IteratorStart, KinesisApi, KinesisShard, PutRecordRequest, StreamSummary } from './kinesis-api.ts';

export interface SdkKinesisSettings extends AwsSdkClientSettings {
  /** Deadline of one call (default 30 s). */
  requestTimeoutMs?: number | undefined;
}

export const REQUEST_TIMEOUT_MS = 30_000;

function toShard(s: Shard): KinesisShard {
  return {
    shardId: s.ShardId ?? '',
    parentShardId: s.ParentShardId || undefined,
    adjacentParentShardId: s.AdjacentParentShardId || undefined,
    startingSequenceNumber: s.SequenceNumberRange?.StartingSequenceNumber ?? '',
    endingSequenceNumber: s.SequenceNumberRange?.EndingSequenceNumber || undefined,
    startingHashKey: s.HashKeyRange?.StartingHashKey ?? '',
    endingHashKey: s.HashKeyRange?.EndingHashKey ?? '',
  };
}

export class SdkKinesisApi implements KinesisApi {
  readonly client: KinesisClient;
  private readonly settings: SdkKinesisSettings;
  private readonly destroyAgents: () => void;
  private readonly timeoutMs: number;

  constructor(settings: SdkKinesisSettings) {
    this.settings = settings;
    this.timeoutMs = settings.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const parts = awsSdkClientParts(settings, { requestTimeout: this.timeoutMs, throwOnRequestTimeout: true });
    this.destroyAgents = parts.destroyAgents;
    // An instance, not options: the client would make its default (HTTP/2) handler of options.
    const config: KinesisClientConfig = { ...parts.config, requestHandler: new NodeHttpHandler(parts.config.requestHandler) };
    this.client = new KinesisClient(config);
  }

  private opts(signal: AbortSignal | undefined): { abortSignal: AbortSignal } {
    const deadline = AbortSignal.timeout(this.timeoutMs + 5000);
    return { abortSignal: signal ? AbortSignal.any([signal, deadline]) : deadline };
  }

  async describeStreamSummary(streamName: string, signal?: AbortSignal): Promise<StreamSummary> {
    const out = await this.client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), this.opts(signal));
    const d = out.StreamDescriptionSummary;
    return {
      streamName: d?.StreamName ?? streamName,
      streamArn: d?.StreamARN,
      status: d?.StreamStatus ?? 'UNKNOWN',
      openShardCount: d?.OpenShardCount,
      retentionPeriodHours: d?.RetentionPeriodHours,
      encryptionType: d?.EncryptionType,
      keyId: d?.KeyId,
      streamMode: d?.StreamModeDetails?.StreamMode,
      consumerCount: d?.ConsumerCount,
    };
  }

  async listShards(streamName: string, signal?: AbortSignal): Promise<KinesisShard[]> {
    const shards: KinesisShard[] = [];
    let nextToken: string | undefined;
    do {
      // With NextToken the stream must not be named again (the token carries it).
      const out = await this.client.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }), this.opts(signal));
      for (const s of out.Shards ?? []) shards.push(toShard(s));
      nextToken = out.NextToken || undefined;
    } while (nextToken);
    return shards;
  }

  async getShardIterator(streamName: string, shardId: string, start: IteratorStart, signal?: AbortSignal): Promise<string> {
    const out = await this.client.send(new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: shardId,
      ShardIteratorType: start.type,
      ...(start.type === 'AT_TIMESTAMP' ? { Timestamp: new Date(start.timestampMs) } : {}),
      ...(start.type === 'AT_SEQUENCE_NUMBER' || start.type === 'AFTER_SEQUENCE_NUMBER' ? { StartingSequenceNumber: start.sequenceNumber } : {}),
    }), this.opts(signal));
    if (!out.ShardIterator) throw Object.assign(new Error(`GetShardIterator returned no iterator for ${shardId}`), { name: 'InternalFailure' });
    return out.ShardIterator;
  }

  async getRecords(shardIterator: string, limit: number, signal?: AbortSignal): Promise<GetRecordsResult> {
    const out = await this.client.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit: limit }), this.opts(signal));
    return {
      records: (out.Records ?? []).map((r) => ({
        sequenceNumber: r.SequenceNumber ?? '',
        partitionKey: r.PartitionKey ?? '',
        data: r.Data ?? new Uint8Array(0),
        approximateArrivalTimestamp: r.ApproximateArrivalTimestamp?.getTime(),
        encryptionType: r.EncryptionType,
      })),
      nextShardIterator: out.NextShardIterator || null,
      millisBehindLatest: out.MillisBehindLatest ?? null,
    };
  }

  async putRecord(req: PutRecordRequest, signal?: AbortSignal): Promise<{ shardId: string; sequenceNumber: string }> {
    const out = await this.client.send(new PutRecordCommand({
      StreamName: req.streamName,
      PartitionKey: req.partitionKey,
      Data: req.data,
      ...(req.explicitHashKey ? { ExplicitHashKey: req.explicitHashKey } : {}),
    }), this.opts(signal));
    return { shardId: out.ShardId ?? '', sequenceNumber: out.SequenceNumber ?? '' };
  }

  describeCredentials(): Promise<string> {
    return describeAwsCredentials(this.settings.credentials, () => this.client.config.credentials());
  }

  credentialExpiry(): Promise<number | null> {
    return awsCredentialExpiry(this.settings.credentials, () => this.client.config.credentials());
  }

  destroy(): void {
    this.client.destroy();
    this.destroyAgents();
  }
}

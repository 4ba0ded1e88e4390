/** A scriptable in-memory KinesisApi for unit tests: shards of records, iterators as indexes, injected errors. */
import type { GetRecordsResult, IteratorStart, KinesisApi, KinesisRecord, KinesisShard, PutRecordRequest, StreamSummary } from '../../../src/connectors/aws-kinesis/kinesis-api.ts';

export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

interface FakeShard {
  shard: KinesisShard;
  records: KinesisRecord[];
}

export class FakeKinesisApi implements KinesisApi {
  readonly shards = new Map<string, FakeShard>();
  readonly calls: Array<{ op: string; shardId?: string; start?: IteratorStart; at: number }> = [];
  readonly puts: PutRecordRequest[] = [];
  /** Errors thrown by the next calls of an operation, in order. */
  readonly failNext = new Map<string, Error[]>();
  private iterators = new Map<string, { shardId: string; index: number }>();
  private seq = 0;
  private readonly now: () => number;
  destroyed = false;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  addShard(shardId: string, opts: { parent?: string; closed?: boolean } = {}): void {
    this.shards.set(shardId, {
      shard: { shardId, parentShardId: opts.parent, adjacentParentShardId: undefined, startingSequenceNumber: '0', endingSequenceNumber: opts.closed ? '999' : undefined, startingHashKey: '0', endingHashKey: '1' },
      records: [],
    });
  }

  close(shardId: string): void {
    const s = this.shards.get(shardId);
    if (s) s.shard.endingSequenceNumber = '999';
  }

  /** Appends records (data as text) and returns their sequence numbers. */
  put(shardId: string, ...data: Array<string | Uint8Array>): string[] {
    const s = this.shards.get(shardId);
    if (!s) throw new Error(`no shard ${shardId}`);
    return data.map((d) => {
      const sequenceNumber = String(1000 + ++this.seq);
      s.records.push({ sequenceNumber, partitionKey: 'pk', data: typeof d === 'string' ? Buffer.from(d) : d, approximateArrivalTimestamp: this.now(), encryptionType: undefined });
      return sequenceNumber;
    });
  }

  fail(op: string, ...errors: Error[]): void {
    this.failNext.set(op, [...(this.failNext.get(op) ?? []), ...errors]);
  }

  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  private maybeFail(op: string): void {
    const queue = this.failNext.get(op);
    const err = queue?.shift();
    if (err) throw err;
  }

  async describeStreamSummary(streamName: string): Promise<StreamSummary> {
    this.calls.push({ op: 'DescribeStreamSummary', at: this.now() });
    this.maybeFail('DescribeStreamSummary');
    return { streamName, streamArn: undefined, status: 'ACTIVE', openShardCount: this.shards.size, retentionPeriodHours: 24, encryptionType: 'NONE', keyId: undefined, streamMode: 'PROVISIONED', consumerCount: 0 };
  }

  async listShards(): Promise<KinesisShard[]> {
    this.calls.push({ op: 'ListShards', at: this.now() });
    this.maybeFail('ListShards');
    return [...this.shards.values()].map((s) => ({ ...s.shard }));
  }

  async getShardIterator(_stream: string, shardId: string, start: IteratorStart): Promise<string> {
    this.calls.push({ op: 'GetShardIterator', shardId, start, at: this.now() });
    this.maybeFail('GetShardIterator');
    const s = this.shards.get(shardId);
    if (!s) throw awsError('ResourceNotFoundException', `Shard ${shardId} does not exist`);
    let index = 0;
    if (start.type === 'LATEST') index = s.records.length;
    else if (start.type === 'AT_SEQUENCE_NUMBER') index = s.records.findIndex((r) => r.sequenceNumber === start.sequenceNumber);
    else if (start.type === 'AFTER_SEQUENCE_NUMBER') index = s.records.findIndex((r) => r.sequenceNumber === start.sequenceNumber) + 1;
    else if (start.type === 'AT_TIMESTAMP') index = Math.max(0, s.records.findIndex((r) => (r.approximateArrivalTimestamp ?? 0) >= start.timestampMs));
    const it = `it-${this.iterators.size + 1}`;
    this.iterators.set(it, { shardId, index: Math.max(0, index) });
    return it;
  }

  async getRecords(iterator: string, limit: number): Promise<GetRecordsResult> {
    const state = this.iterators.get(iterator);
    this.calls.push({ op: 'GetRecords', shardId: state?.shardId, at: this.now() });
    this.maybeFail('GetRecords');
    if (!state) throw awsError('InvalidArgumentException', 'bad iterator');
    const s = this.shards.get(state.shardId) as FakeShard;
    const records = s.records.slice(state.index, state.index + limit);
    const index = state.index + records.length;
    const end = s.shard.endingSequenceNumber !== undefined && index >= s.records.length;
    let next: string | null = null;
    if (!end) {
      next = `it-${this.iterators.size + 1}`;
      this.iterators.set(next, { shardId: state.shardId, index });
    }
    return { records, nextShardIterator: next, millisBehindLatest: (s.records.length - index) * 10 };
  }

  async putRecord(req: PutRecordRequest): Promise<{ shardId: string; sequenceNumber: string }> {
    this.calls.push({ op: 'PutRecord', at: this.now() });
    this.maybeFail('PutRecord');
    this.puts.push(req);
    return { shardId: 'shardId-000000000000', sequenceNumber: String(++this.seq) };
  }

  async describeCredentials(): Promise<string> {
    return 'access key id AKIAFAKE (from accessKeyId)';
  }

  destroy(): void {
    this.destroyed = true;
  }
}

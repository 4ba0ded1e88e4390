/**
 * kinesalite 3.3.3, the Kinesis stand-in (facts in docs/testing.md, "Kinesis: kinesalite"), in a
 * child process on a free loopback port: in memory, streams ACTIVE at once (createStreamMs,
 * updateStreamMs and deleteStreamMs 0), stopped by its PID.
 *
 *   const kinesis = await startKinesalite();
 *   after(() => kinesis.stop());
 *   await kinesis.createStream('telemetry', 4);
 *
 * Its CLI (`kinesalite --port P`) listens on every interface and cannot take a host, so the child
 * runs the same server (`require('kinesalite')(options)`) with listen(0, '127.0.0.1'): loopback
 * only, and the port is the one the OS gave (no race with a port picked beforehand).
 *
 * Every client of it must speak HTTP/1.1: the SDK's Kinesis client uses HTTP/2 (h2c with prior
 * knowledge on http://) by default, which kinesalite does not understand ("Protocol error").
 * Limits (differences from AWS): no throttling, no StreamARN-only calls, no enhanced fan-out,
 * MillisBehindLatest always 0, and AT_TIMESTAMP past the newest record never answers.
 */
import { createRequire } from 'node:module';
import {
  DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, MergeShardsCommand, PutRecordsCommand, SplitShardCommand, CreateStreamCommand,
  type PutRecordsRequestEntry, type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startNodeChild, type NodeChildPeer } from './node-child.ts';

export const KINESALITE_REGION = 'us-east-1';
export const KINESALITE_CREDENTIALS = { accessKeyId: 'AKIAKINESALITETEST01', secretAccessKey: 'kinesalite-test-secret' };

export interface PutEntry {
  data: string | Uint8Array;
  partitionKey: string;
  explicitHashKey?: string;
}

export interface PutResult {
  shardId: string;
  sequenceNumber: string;
}

export interface KinesalitePeer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  readonly region: string;
  /** A test client (HTTP/1.1, explicit endpoint). */
  readonly kinesis: KinesisClient;
  /** Creates a stream and waits until it is ACTIVE. */
  createStream(name: string, shards: number): Promise<void>;
  /** PutRecords in batches of 500, `concurrency` batches at a time; results in input order. */
  putAll(stream: string, entries: PutEntry[], concurrency?: number): Promise<PutResult[]>;
  listShards(stream: string): Promise<Shard[]>;
  /** Splits a shard at the middle of its hash key range; waits until the stream is ACTIVE again. */
  split(stream: string, shardId: string): Promise<void>;
  merge(stream: string, shardId: string, adjacentShardId: string): Promise<void>;
  stop(): Promise<void>;
}

export function kinesaliteClient(endpoint: string): KinesisClient {
  return new KinesisClient({ endpoint, region: KINESALITE_REGION, credentials: KINESALITE_CREDENTIALS, requestHandler: new NodeHttpHandler() });
}

function startChild(): Promise<NodeChildPeer> {
  const main = createRequire(import.meta.url).resolve('kinesalite');
  const script = `const kinesalite = require(${JSON.stringify(main)});
const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 200 });
server.listen(0, '127.0.0.1', () => console.log('KINESALITE_PORT=' + server.address().port));`;
  return startNodeChild('kinesalite', 'KINESALITE_PORT', ['-e', script]);
}

const HALF = (a: string, b: string): string => ((BigInt(a) + BigInt(b) + 1n) / 2n).toString();

export async function startKinesalite(): Promise<KinesalitePeer> {
  const { child, port, stop } = await startChild();
  const endpoint = `http://127.0.0.1:${port}`;
  const kinesis = kinesaliteClient(endpoint);
  const waitActive = async (stream: string): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`stream ${stream} did not become ACTIVE`);
  };
  const listShards = async (stream: string): Promise<Shard[]> => (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  return {
    endpoint, port, pid: child.pid ?? 0, region: KINESALITE_REGION, kinesis,
    async createStream(name, shards) {
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      await waitActive(name);
    },
    async putAll(stream, entries, concurrency = 4) {
      const results = new Array<PutResult>(entries.length);
      const batches: number[] = [];
      for (let i = 0; i < entries.length; i += 500) batches.push(i);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < batches.length) {
          const start = batches[next++] as number;
          const slice = entries.slice(start, start + 500);
          const records: PutRecordsRequestEntry[] = slice.map((e) => ({
            Data: typeof e.data === 'string' ? Buffer.from(e.data) : e.data,
            PartitionKey: e.partitionKey,
            ...(e.explicitHashKey ? { ExplicitHashKey: e.explicitHashKey } : {}),
          }));
          const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
          if (out.FailedRecordCount) throw new Error(`PutRecords: ${out.FailedRecordCount} records failed`);
          (out.Records ?? []).forEach((r, i) => { results[start + i] = { shardId: r.ShardId ?? '', sequenceNumber: r.SequenceNumber ?? '' }; });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return results;
    },
    listShards,
    async split(stream, shardId) {
      const shard = (await listShards(stream)).find((s) => s.ShardId === shardId);
      const range = shard?.HashKeyRange;
      if (!range?.StartingHashKey || !range.EndingHashKey) throw new Error(`no shard ${shardId}`);
      await kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: shardId, NewStartingHashKey: HALF(range.StartingHashKey, range.EndingHashKey) }));
      await waitActive(stream);
      // kinesalite applies the split in a timer after answering; wait until the children exist.
      for (let i = 0; i < 200 && !(await listShards(stream)).some((s) => s.ParentShardId === shardId); i++) await new Promise((r) => setTimeout(r, 25));
    },
    async merge(stream, shardId, adjacentShardId) {
      await kinesis.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: shardId, AdjacentShardToMerge: adjacentShardId }));
      await waitActive(stream);
      for (let i = 0; i < 200 && !(await listShards(stream)).some((s) => s.ParentShardId === shardId); i++) await new Promise((r) => setTimeout(r, 25));
    },
    async stop() {
      kinesis.destroy();
      await stop();
    },
  };
}

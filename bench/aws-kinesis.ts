/**
 * AWS Kinesis ingest benchmark on kinesalite (in its own process): N JSON records (~205 B, 100
 * partition keys) preloaded into a stream of S shards, then the same stream drained (reading a
 * Kinesis stream consumes nothing) by
 *  1. a raw SDK loop: one GetRecords loop per shard (Limit 10000, at most one call per 200 ms per
 *     shard, as Kinesis allows), records counted and dropped: the ceiling any consumer reaches here;
 *  2. Cloudbridge (`cloudbridge start` in its own process, `aws-kinesis` integration, TRIM_HORIZON,
 *     pollIntervalMs 200, JS converter in the sandbox, SQLite synchronous=FULL, the shard
 *     checkpoints committed with every batch), timed from enabling the integration
 *     (DescribeStreamSummary, ListShards, leases) to the status showing every record stored.
 * Each round preloads a fresh kinesalite and alternates which of the two drains first. Both rates
 * and their ratio are printed; nothing is asserted (machines are shared and noisy).
 */
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { KINESALITE_CREDENTIALS, startKinesalite, type KinesalitePeer } from '../test/peers/kinesalite.ts';
import { benchConfig, timedDrain, withCloudbridgeProcess } from './cloudbridge-process.ts';
import { benchPayload } from './messages.ts';
import type { DrainPair } from './report.ts';
import { median } from './stats.ts';

const STREAM = 'bench';

async function preload(peer: KinesalitePeer, n: number, shards: number): Promise<void> {
  await peer.createStream(STREAM, shards);
  const entries = Array.from({ length: n }, (_, i) => ({ data: benchPayload(i, 1_700_000_000_000 + i), partitionKey: `sensor-${i % 100}` }));
  await peer.putAll(STREAM, entries, 4);
}

export interface DrainResult {
  /** Records per second. */
  rate: number;
  /** CPU time of the consumer's process(es) during the drain, in % of one core: the bench process for the raw loop, Cloudbridge and its sandboxes. */
  cpuPercent: number;
}

function cpuPercent(since: NodeJS.CpuUsage, startMs: number): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 10 / (performance.now() - startMs);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One GetRecords loop per shard (TRIM_HORIZON, Limit 10000, ≥ 200 ms apart), until N records arrived. */
export async function rawDrain(peer: KinesalitePeer, n: number): Promise<DrainResult> {
  const shardIds = (await peer.listShards(STREAM)).map((s) => s.ShardId as string);
  let received = 0;
  let result: DrainResult | null = null;
  const start = performance.now();
  const c0 = process.cpuUsage();
  await Promise.all(shardIds.map(async (shardId) => {
    let iterator = (await peer.kinesis.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator && received < n) {
      const callAt = performance.now();
      const out = await peer.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      received += out.Records?.length ?? 0;
      if (received >= n && !result) result = { rate: (n / (performance.now() - start)) * 1000, cpuPercent: cpuPercent(c0, start) };
      iterator = out.NextShardIterator;
      const wait = 200 - (performance.now() - callAt);
      if (wait > 0 && received < n) await sleep(wait);
    }
  }));
  if (!result) throw new Error(`raw drain ended early (${received} of ${n})`);
  return result;
}

/** Cloudbridge as `cloudbridge start` in its own process; its CPU is that of the process and its sandboxes. */
export async function cloudbridgeDrain(peer: KinesalitePeer, n: number): Promise<DrainResult> {
  const kinesisConfig = {
    streamName: STREAM, endpoint: peer.endpoint, region: peer.region,
    accessKeyId: KINESALITE_CREDENTIALS.accessKeyId, secretAccessKey: KINESALITE_CREDENTIALS.secretAccessKey,
    initialPosition: 'TRIM_HORIZON', pollIntervalMs: 200,
  };
  return withCloudbridgeProcess(benchConfig('aws-kinesis', kinesisConfig), {}, n * 3, (cb) => timedDrain(cb, 'bench', n));
}

/** `rounds` rounds (default 3), each on a fresh kinesalite with one preload drained by both; prints each run and the medians. */
export async function benchAwsKinesis(args: { n: number; shards?: number; rounds?: number }): Promise<DrainPair> {
  const shards = args.shards ?? 4;
  const rounds = args.rounds ?? 3;
  const line = (r: DrainResult): string => `${r.rate.toFixed(0).padStart(6)} rec/s (its processes at ${r.cpuPercent.toFixed(0)} % of a core)`;
  console.log(`aws-kinesis bench: ${args.n} preloaded records of ~${benchPayload(0, 1_700_000_000_000).length} B on ${shards} shards, kinesalite in a child process (fresh for each round), ${rounds} rounds`);
  const raws: number[] = [];
  const cbs: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const peer = await startKinesalite();
    let raw: DrainResult;
    let cb: DrainResult;
    try {
      await preload(peer, args.n, shards);
      if (round % 2 === 1) {
        raw = await rawDrain(peer, args.n);
        cb = await cloudbridgeDrain(peer, args.n);
      } else {
        cb = await cloudbridgeDrain(peer, args.n);
        raw = await rawDrain(peer, args.n);
      }
    } finally {
      await peer.stop();
    }
    raws.push(raw.rate);
    cbs.push(cb.rate);
    console.log(`  round ${round}: raw SDK loop ${line(raw)}, Cloudbridge ${line(cb)}, ratio ${(cb.rate / raw.rate).toFixed(2)}`);
  }
  const raw = median(raws);
  const cb = median(cbs);
  console.log(`  raw SDK loop (GetRecords per shard, no processing), median:                   ${raw.toFixed(0)} rec/s`);
  console.log(`  Cloudbridge (JS converter + SQLite FULL, checkpoint in every commit), median: ${cb.toFixed(0)} rec/s`);
  console.log(`  ratio Cloudbridge / raw SDK loop (medians): ${(cb / raw).toFixed(2)}`);
  return { raw, cloudbridge: cb };
}

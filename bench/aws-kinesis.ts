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
import { benchPayload } from './messages.ts';
import type { DrainPair } from './report.ts';
import { cloudbridgeDrain, drainRounds, startDrainTimer, type DrainResult } from './source-drains.ts';

const STREAM = 'bench';

async function preload(peer: KinesalitePeer, n: number, shards: number): Promise<void> {
  await peer.createStream(STREAM, shards);
  const entries = Array.from({ length: n }, (_, i) => ({ data: benchPayload(i, 1_700_000_000_000 + i), partitionKey: `sensor-${i % 100}` }));
  await peer.putAll(STREAM, entries, 4);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One GetRecords loop per shard (TRIM_HORIZON, Limit 10000, ≥ 200 ms apart), until N records arrived. */
export async function rawDrain(peer: KinesalitePeer, n: number): Promise<DrainResult> {
  const shardIds = (await peer.listShards(STREAM)).map((s) => s.ShardId as string);
  let received = 0;
  let result: DrainResult | null = null;
  const timer = startDrainTimer();
  await Promise.all(shardIds.map(async (shardId) => {
    let iterator = (await peer.kinesis.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator && received < n) {
      const callAt = performance.now();
      const out = await peer.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      received += out.Records?.length ?? 0;
      if (received >= n && !result) result = timer.result(n);
      iterator = out.NextShardIterator;
      const wait = 200 - (performance.now() - callAt);
      if (wait > 0 && received < n) await sleep(wait);
    }
  }));
  if (!result) throw new Error(`raw drain ended early (${received} of ${n})`);
  return result;
}

export function kinesisCloudbridgeDrain(peer: KinesalitePeer, n: number): Promise<DrainResult> {
  return cloudbridgeDrain('aws-kinesis', {
    streamName: STREAM, endpoint: peer.endpoint, region: peer.region,
    accessKeyId: KINESALITE_CREDENTIALS.accessKeyId, secretAccessKey: KINESALITE_CREDENTIALS.secretAccessKey,
    initialPosition: 'TRIM_HORIZON', pollIntervalMs: 200,
  }, n);
}

/** `rounds` rounds (default 3), each on a fresh kinesalite with one preload drained by both; prints each run and the medians. */
export async function benchAwsKinesis(args: { n: number; shards?: number; rounds?: number }): Promise<DrainPair> {
  const shards = args.shards ?? 4;
  const rounds = args.rounds ?? 3;
  console.log(`aws-kinesis bench: ${args.n} preloaded records of ~${benchPayload(0, 1_700_000_000_000).length} B on ${shards} shards, kinesalite in a child process (fresh for each round), ${rounds} rounds`);
  return drainRounds(rounds, 'rec/s', {
    raw: 'raw SDK loop (GetRecords per shard, no processing), median:                   ',
    cb: 'Cloudbridge (JS converter + SQLite FULL, checkpoint in every commit), median: ',
  }, async (round) => {
    const peer = await startKinesalite();
    try {
      await preload(peer, args.n, shards);
      if (round % 2 === 1) {
        const raw = await rawDrain(peer, args.n);
        return { raw, cb: await kinesisCloudbridgeDrain(peer, args.n) };
      }
      const cb = await kinesisCloudbridgeDrain(peer, args.n);
      return { raw: await rawDrain(peer, args.n), cb };
    } finally {
      await peer.stop();
    }
  });
}

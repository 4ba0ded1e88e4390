/**
 * The two sources the scale-out bench drains, each with its peer in its own process:
 *  - aws-sqs: one standard queue in fauxqs, preloaded with N messages for every drain (a fresh
 *    fauxqs each time, so no drain inherits another's queue state); consumers compete for it;
 *  - aws-kinesis: one stream of S shards in kinesalite, preloaded once with N records (100
 *    partition keys); reading consumes nothing, so every drain reads the same stream, and each
 *    Cloudbridge round starts without checkpoints (a fresh database). Instances split the shards
 *    by leases; raw consumers get every k-th shard.
 * Messages and decoder are those of every bench (bench/common.ts): 3 telemetry points each.
 */
import { FAUXQS_CREDENTIALS, startFauxqsPeer, type FauxqsPeer } from '../test/peers/fauxqs.ts';
import { KINESALITE_CREDENTIALS, startKinesalite, type KinesalitePeer } from '../test/peers/kinesalite.ts';
import { benchPayload } from './common.ts';
import { commandLine, descendants } from './scale-proc.ts';
import type { RawJob } from './scale-raw.ts';

export type SourceType = 'aws-sqs' | 'aws-kinesis';

/** One drain's worth of records, ready in the peer. */
export interface SourceDrain {
  /** The `config` of the Cloudbridge integration that drains it. */
  connectorConfig: Record<string, unknown>;
  /** Jobs for `consumers` raw SDK consumers that drain it together. */
  rawJobs(consumers: number): RawJob[];
  /** The peer's process (its CPU is measured), null if unknown. */
  peerPid: number | null;
  /** Done with this drain. */
  end(): Promise<void>;
}

export interface ScaleSource {
  readonly type: SourceType;
  /** Records per drain. */
  readonly records: number;
  /** Prepares the next drain (preloads where needed). */
  drain(): Promise<SourceDrain>;
  close(): Promise<void>;
}

const payload = (i: number): string => benchPayload(i, 1_700_000_000_000 + i);

export interface SqsOptions {
  records: number;
  /** Concurrent long-poll receivers per consumer, Cloudbridge's maxReceivers alike (default 8). */
  receivers?: number;
}

export function sqsSource(opts: SqsOptions): ScaleSource {
  const receivers = opts.receivers ?? 8;
  return {
    type: 'aws-sqs', records: opts.records,
    async drain() {
      const peer: FauxqsPeer = await startFauxqsPeer({ childProcess: true });
      try {
        const queueUrl = await peer.createQueue('bench-scale');
        await peer.sendAll(queueUrl, Array.from({ length: opts.records }, (_, i) => payload(i)), 16);
        const peerPid = descendants(process.pid).find((p) => commandLine(p).includes('FAUXQS_PORT')) ?? null;
        return {
          peerPid,
          connectorConfig: {
            queueUrl, endpoint: peer.endpoint, accessKeyId: FAUXQS_CREDENTIALS.accessKeyId, secretAccessKey: FAUXQS_CREDENTIALS.secretAccessKey,
            waitTimeSeconds: 1, maxReceivers: receivers, maxInFlight: 4000,
          },
          rawJobs: (consumers) => Array.from({ length: consumers }, () => ({ kind: 'sqs', endpoint: peer.endpoint, region: peer.region, queueUrl, receivers })),
          end: () => peer.stop(),
        };
      } catch (err) {
        await peer.stop();
        throw err;
      }
    },
    async close() { /* every drain stops its own fauxqs */ },
  };
}

export interface KinesisOptions {
  records: number;
  /** Shards of the stream (default 12: 1, 2 and 3 instances get equal shares). */
  shards?: number;
  /** The integration's leaseDurationSeconds. */
  leaseDurationSeconds: number;
}

const STREAM = 'bench-scale';

export function kinesisSource(opts: KinesisOptions): ScaleSource {
  const shards = opts.shards ?? 12;
  let peer: KinesalitePeer | null = null;
  const perShard = new Map<string, number>();
  const preload = async (): Promise<KinesalitePeer> => {
    const started = await startKinesalite();
    try {
      await started.createStream(STREAM, shards);
      const entries = Array.from({ length: opts.records }, (_, i) => ({ data: payload(i), partitionKey: `sensor-${i % 100}` }));
      for (const r of await started.putAll(STREAM, entries, 4)) perShard.set(r.shardId, (perShard.get(r.shardId) ?? 0) + 1);
      for (const s of await started.listShards(STREAM)) if (s.ShardId && !perShard.has(s.ShardId)) perShard.set(s.ShardId, 0);
      return started;
    } catch (err) {
      await started.stop();
      throw err;
    }
  };
  return {
    type: 'aws-kinesis', records: opts.records,
    async drain() {
      peer ??= await preload();
      const p = peer;
      const shardIds = [...perShard.keys()].sort();
      return {
        peerPid: p.pid || null,
        connectorConfig: {
          streamName: STREAM, endpoint: p.endpoint, region: p.region,
          accessKeyId: KINESALITE_CREDENTIALS.accessKeyId, secretAccessKey: KINESALITE_CREDENTIALS.secretAccessKey,
          initialPosition: 'TRIM_HORIZON', pollIntervalMs: 200, leaseDurationSeconds: opts.leaseDurationSeconds,
        },
        rawJobs: (consumers) => Array.from({ length: consumers }, (_, c) => ({
          kind: 'kinesis', endpoint: p.endpoint, stream: STREAM,
          shards: shardIds.filter((_, i) => i % consumers === c).map((shardId) => ({ shardId, records: perShard.get(shardId) ?? 0 })),
        })),
        end: async () => undefined,
      };
    },
    async close() {
      await peer?.stop();
      peer = null;
    },
  };
}

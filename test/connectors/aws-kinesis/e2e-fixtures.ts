/** Config, data and checks for the aws-kinesis end-to-end tests (Cloudbridge app + kinesalite). */
import assert from 'node:assert/strict';
import { openStore } from '../../../src/store/index.ts';
import type { StoreConfig } from '../../../src/store/index.ts';
import type { KinesalitePeer, PutResult } from '../../peers/kinesalite.ts';
import { integrationYaml } from '../aws-common/fixtures.ts';
import { peerConfig } from './helpers.ts';

/** One device per partition key, telemetry `seq` WITHOUT ts: a duplicate shows as a second point. */
export const SEQ_DECODER = `
var d = decodeToJson(payload);
return { deviceName: 'dev-' + d.k, deviceType: 'probe', telemetry: { seq: d.seq } };
`;

export const KINESIS_ENCODER = `
return { contentType: 'JSON', data: JSON.stringify({ method: msgType, params: msg }), metadata: { deviceName: metadata.deviceName } };
`;

export const KEYS = 64;

/** Records `{"k":…,"seq":…}` for seq in [from, to), partition key `k<seq % keys>`. */
export function seqRecords(from: number, to: number, keys = KEYS): Array<{ data: string; partitionKey: string }> {
  return Array.from({ length: to - from }, (_, i) => {
    const seq = from + i;
    return { data: JSON.stringify({ k: seq % keys, seq }), partitionKey: `k${seq % keys}` };
  });
}

/** An app with the integration `stream` (or `name`) on `stream`: peerConfig with leases of 4 s, shards listed every 2 s. */
export function kinesisIntegrationYaml(peer: KinesalitePeer, stream: string, opts: { extra?: Record<string, unknown>; decoder?: string; name?: string } = {}): string {
  return integrationYaml({
    type: 'aws-kinesis', name: opts.name ?? 'stream', decoder: opts.decoder ?? SEQ_DECODER, encoder: KINESIS_ENCODER,
    config: { ...peerConfig(peer, stream), leaseDurationSeconds: 4, shardSyncIntervalSeconds: 2, ...opts.extra },
  });
}

export interface Putter {
  /** Every put so far, in seq order (grows while it runs). */
  readonly put: PutResult[];
  /** Stops after the current round; resolves with every put. */
  stop(): Promise<PutResult[]>;
}

/** Puts rounds of 64 seqRecords (one per key) every 50 ms until stopped. */
export function keepPutting(peer: KinesalitePeer, stream: string): Putter {
  const put: PutResult[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      put.push(...await peer.putAll(stream, seqRecords(put.length, put.length + 64), 1));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { put, stop: async () => { running = false; await loop; return put; } };
}

/** Every stored `seq` value (from the SEQ_DECODER devices), read through the store API. */
export async function storedSeqs(store: StoreConfig, keys = KEYS): Promise<number[]> {
  const s = await openStore(store);
  try {
    const out: number[] = [];
    for (let k = 0; k < keys; k++) {
      const device = await s.getEntity('DEVICE', `dev-${k}`);
      if (!device) continue;
      const series = await s.queryTelemetry({ entityId: device.id, keys: ['seq'], limit: 10_000_000 });
      for (const p of series.seq ?? []) out.push(Number(p.value.value));
    }
    return out;
  } finally {
    await s.close();
  }
}

/** The checkpoint of each shard (by shard id) in the integration's lease table. */
export async function shardCheckpoints(store: StoreConfig, integrationId: string): Promise<Map<string, string>> {
  const s = await openStore(store);
  try {
    const out = new Map<string, string>();
    for (const l of await s.listLeases(integrationId)) if (l.checkpoint !== null) out.set(l.meta.shardId ?? l.partition, l.checkpoint);
    return out;
  } finally {
    await s.close();
  }
}

/** Exactly once: every seq in [0, total) stored once, nothing else. */
export function assertEachOnce(seqs: number[], total: number): void {
  const counts = new Map<number, number>();
  for (const s of seqs) counts.set(s, (counts.get(s) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).map(([s]) => s);
  const missing: number[] = [];
  for (let s = 0; s < total && missing.length < 10; s++) if (!counts.has(s)) missing.push(s);
  assert.deepEqual({ twice: twice.slice(0, 10), missing }, { twice: [], missing: [] }, `${seqs.length} points for ${total} records`);
  assert.equal(seqs.length, total);
}

/** Checkpoints never point past what is stored: every record of a shard up to its checkpoint is stored. */
export function assertCheckpointsCovered(checkpoints: Map<string, string>, put: PutResult[], seqs: Set<number>): void {
  for (const [shardId, checkpoint] of checkpoints) {
    if (checkpoint === 'SHARD_END') continue;
    const upTo = BigInt(checkpoint.split('/')[0] as string);
    put.forEach((p, seq) => {
      if (p.shardId === shardId && BigInt(p.sequenceNumber) <= upTo) assert.ok(seqs.has(seq), `checkpoint ${checkpoint} of ${shardId} covers seq ${seq}, which is not stored`);
    });
  }
}

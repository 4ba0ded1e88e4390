/** Shared helpers for the aws-kinesis connector tests: sources on a kinesalite peer with in-memory leases. */
import { resolveKinesisConfig, type KinesisConfig } from '../../../src/connectors/aws-kinesis/config-spec.ts';
import { sdkApiFor } from '../../../src/connectors/aws-kinesis/definition.ts';
import { KinesisSource, type KinesisSourceOptions } from '../../../src/connectors/aws-kinesis/kinesis-source.ts';
import type { UplinkMessage } from '../../../src/core/model.ts';
import type { LeaseStore } from '../../../src/core/partitions.ts';
import { KINESALITE_CREDENTIALS, type KinesalitePeer } from '../../peers/kinesalite.ts';
import { peerConnection } from '../aws-common/fixtures.ts';
import { createPartitionedTestContext, MemoryCheckpointedStore, MemoryLeaseStore, type PartitionedTestContext } from '../../support/memory-leases.ts';

export { uniqueName } from '../aws-common/fixtures.ts';

export function peerConfig(peer: KinesalitePeer, streamName: string, extra: Partial<KinesisConfig> = {}): KinesisConfig {
  return {
    streamName,
    ...peerConnection(peer, KINESALITE_CREDENTIALS),
    initialPosition: 'TRIM_HORIZON',
    pollIntervalMs: 200,
    leaseDurationSeconds: 3,
    shardSyncIntervalSeconds: 1,
    ...extra,
  };
}

export interface Instance {
  source: KinesisSource;
  ctx: PartitionedTestContext;
}

/** One Cloudbridge instance's connector: its own context, the shared leases and store. */
export function createInstance(
  config: KinesisConfig, shared: { leases: MemoryLeaseStore; store: MemoryCheckpointedStore }, extra: Partial<KinesisSourceOptions> = {},
  opts: { leases?: LeaseStore } = {},
): Instance {
  const ctx = createPartitionedTestContext({ ...shared, integrationName: 'kinesis-test' });
  // This instance's view of the lease table (e.g. one that freezes); commits are still fenced by the real one.
  if (opts.leases) ctx.leases = opts.leases as MemoryLeaseStore;
  const c = resolveKinesisConfig(config, ctx.integrationName);
  return { source: new KinesisSource({ config: c, createApi: () => sdkApiFor(c), ...extra }, ctx), ctx };
}

export function shared(): { leases: MemoryLeaseStore; store: MemoryCheckpointedStore } {
  const leases = new MemoryLeaseStore();
  return { leases, store: new MemoryCheckpointedStore(leases) };
}

export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `{"key":"k3","n":17}` records: n counts per key, so the stored order per key can be checked. */
export function keyedRecords(keys: number, perKey: number, from = 0): Array<{ data: string; partitionKey: string }> {
  const out: Array<{ data: string; partitionKey: string }> = [];
  for (let n = from; n < from + perKey; n++) {
    for (let k = 0; k < keys; k++) out.push({ data: JSON.stringify({ key: `k${k}`, n }), partitionKey: `k${k}` });
  }
  return out;
}

/** Asserts nothing lost, nothing twice, and per key the stored order is n = 0, 1, 2 … */
export function checkKeyed(stored: UplinkMessage[], keys: number, perKey: number): string | null {
  const seen = new Map<string, number>();
  for (const m of stored) {
    const { key, n } = JSON.parse(Buffer.from(m.payload).toString('utf8')) as { key: string; n: number };
    const expected = seen.get(key) ?? 0;
    if (n !== expected) return `key ${key}: stored n=${n} where n=${expected} was expected (${n < expected ? 'twice' : 'lost or out of order'})`;
    seen.set(key, expected + 1);
  }
  for (let k = 0; k < keys; k++) {
    if ((seen.get(`k${k}`) ?? 0) !== perKey) return `key k${k}: ${seen.get(`k${k}`) ?? 0} of ${perKey} stored`;
  }
  return null;
}

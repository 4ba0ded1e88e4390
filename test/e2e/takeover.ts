/**
 * The takeover step of the "two instances on one database" tests of partitioned sources (Kinesis,
 * Event Hubs, IoT Hub): kill -9 instance `a` and wait until `b` owns every partition and has stored
 * more from each of `a`'s; returns the times (for `t.diagnostic`, not for assertions).
 */
import type { ChildApp } from './harness.ts';
import { waitFor } from './harness.ts';

export interface PartitionRow { partition: string; ownedHere: boolean; committed: number }
interface Status { details?: { partitions: PartitionRow[] } }

export interface Takeover {
  /** The partitions `a` read when it was killed. */
  moved: string[];
  /** From the kill until `b` owned every partition. */
  ownedAllMs: number;
  /** From the kill until `b` had stored from every moved partition. */
  storingMs: number;
}

export async function partitionsReadBy(app: ChildApp, integration: string): Promise<PartitionRow[]> {
  return ((await app.api.get<Status>(`/integrations/${integration}/status`)).details?.partitions ?? []).filter((p) => p.ownedHere);
}

export async function killAndTakeOver(a: ChildApp, b: ChildApp, o: { integration: string; partitions: number; timeoutMs: number }): Promise<Takeover> {
  const moved = (await partitionsReadBy(a, o.integration)).map((r) => r.partition);
  const before = new Map(((await b.api.get<Status>(`/integrations/${o.integration}/status`)).details?.partitions ?? []).map((r) => [r.partition, r.committed]));
  const killedAt = Date.now();
  await a.kill('SIGKILL');
  let ownsAllAt = 0;
  await waitFor(async () => {
    const rows = await partitionsReadBy(b, o.integration);
    if (rows.length === o.partitions && ownsAllAt === 0) ownsAllAt = Date.now();
    return rows.length === o.partitions && moved.every((p) => (rows.find((r) => r.partition === p)?.committed ?? 0) > (before.get(p) ?? 0));
  }, `the other instance owns and stores all ${o.partitions} partitions`, o.timeoutMs, 25);
  return { moved, ownedAllMs: ownsAllAt - killedAt, storingMs: Date.now() - killedAt };
}

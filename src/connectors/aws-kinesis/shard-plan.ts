/**
 * The shard lease table of one stream, derived from ListShards (pure functions, no I/O).
 *
 * One lease per shard, keyed `<applicationName>/<streamName>/<shardId>`, with meta:
 *   shardId   the shard
 *   parents   the parents (comma-separated) that have leases here: the shard is read only once
 *             they are finished (checkpoint SHARD_END) or gone, so that per partition key the
 *             records of a parent are stored before those of its child
 *   start     TRIM_HORIZON for such a child: it is read from its start, whatever initialPosition
 *
 * Which shards get a lease: every open shard; a closed shard unless a descendant of it has a
 * lease (it was read, or is older than what was read: its lease was removed after its children
 * started) or, at the very first sync with initialPosition LATEST, where the history of closed
 * shards is not wanted. A finished lease is removed once every child of its shard has a lease that
 * was claimed or checkpointed (the child started), or once the shard left the stream (retention).
 */
import type { PartitionLease } from '../../core/partitions.ts';
import type { InitialPosition } from './config-spec.ts';
import type { KinesisShard } from './kinesis-api.ts';
import { SHARD_END } from './position.ts';

export interface ShardLeaseInfo {
  partition: string;
  shardId: string;
  parents: string[];
  finished: boolean;
  lease: PartitionLease;
}

export class LeaseKeys {
  readonly prefix: string;

  constructor(applicationName: string, streamName: string) {
    this.prefix = `${applicationName}/${streamName}/`;
  }

  partition(shardId: string): string {
    return `${this.prefix}${shardId}`;
  }

  /** The leases of this stream and application among all leases of the integration, by shard id. */
  mine(leases: readonly PartitionLease[]): Map<string, ShardLeaseInfo> {
    const out = new Map<string, ShardLeaseInfo>();
    for (const lease of leases) {
      if (!lease.partition.startsWith(this.prefix)) continue;
      const shardId = lease.meta.shardId ?? lease.partition.slice(this.prefix.length);
      out.set(shardId, {
        partition: lease.partition,
        shardId,
        parents: (lease.meta.parents ?? '').split(',').filter(Boolean),
        finished: lease.checkpoint === SHARD_END,
        lease,
      });
    }
    return out;
  }
}

export function parentsOf(s: KinesisShard): string[] {
  return [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => Boolean(p));
}

export interface SyncPlan {
  create: Array<{ partition: string; meta: Record<string, string> }>;
  remove: string[];
}

export function planSync(shards: readonly KinesisShard[], known: ReadonlyMap<string, ShardLeaseInfo>, keys: LeaseKeys, initialPosition: InitialPosition): SyncPlan {
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const children = new Map<string, string[]>();
  for (const s of shards) {
    for (const p of parentsOf(s)) children.set(p, [...(children.get(p) ?? []), s.shardId]);
  }
  const firstSync = known.size === 0;
  const descendantLeased = new Map<string, boolean>();
  const hasLeasedDescendant = (id: string): boolean => {
    const cached = descendantLeased.get(id);
    if (cached !== undefined) return cached;
    descendantLeased.set(id, false);
    const result = (children.get(id) ?? []).some((c) => known.has(c) || hasLeasedDescendant(c));
    descendantLeased.set(id, result);
    return result;
  };
  const decided = new Map<string, boolean>();
  const willHaveLease = (id: string): boolean => {
    if (known.has(id)) return true;
    const cached = decided.get(id);
    if (cached !== undefined) return cached;
    const s = byId.get(id);
    let lease = s !== undefined;
    if (s?.endingSequenceNumber !== undefined) {
      lease = !hasLeasedDescendant(id) && !(firstSync && initialPosition === 'LATEST');
    }
    decided.set(id, lease);
    return lease;
  };
  const create: SyncPlan['create'] = [];
  for (const s of shards) {
    if (known.has(s.shardId) || !willHaveLease(s.shardId)) continue;
    const parents = parentsOf(s).filter(willHaveLease);
    create.push({
      partition: keys.partition(s.shardId),
      meta: { shardId: s.shardId, parents: parents.join(','), ...(parents.length > 0 ? { start: 'TRIM_HORIZON' } : {}) },
    });
  }
  const started = (id: string): boolean => {
    const l = known.get(id);
    return l !== undefined && (l.finished || l.lease.owner !== null || l.lease.checkpoint !== null);
  };
  const remove: string[] = [];
  for (const info of known.values()) {
    if (!info.finished) continue;
    const inStream = byId.has(info.shardId);
    const kids = children.get(info.shardId) ?? [];
    if (!inStream || (kids.length > 0 && kids.every(started))) remove.push(info.partition);
  }
  return { create, remove };
}

/** A lease that may be read now: not finished, and every parent finished or gone. */
export function isReadable(info: ShardLeaseInfo, known: ReadonlyMap<string, ShardLeaseInfo>): boolean {
  if (info.finished) return false;
  return info.parents.every((p) => {
    const parent = known.get(p);
    return parent === undefined || parent.finished;
  });
}

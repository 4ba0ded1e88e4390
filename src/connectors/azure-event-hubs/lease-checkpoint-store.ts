/**
 * The SDK's `CheckpointStore` on Cloudbridge's lease store (ADR 013), so the SDK's own load
 * balancer splits the partitions between the instances sharing one database:
 *
 * - an ownership is a lease; its ETag is the lease's fencing token, `lastModifiedTimeInMs` its
 *   expiry minus the ownership expiration (so the SDK's "expired" is the lease's);
 * - `claimOwnership`: a claim with the ETag as expected token (token + 1) — except when this
 *   instance already holds the lease with that token, which renews it (the SDK re-claims its
 *   partitions every cycle; a new token each time would fence out its own commits in flight); an
 *   empty owner id (the SDK abandoning on close) releases it;
 * - a partition held here whose reader stopped to rewind is listed with no owner, so that this
 *   instance's balancer claims (renews) it again and starts a pump at the checkpoint; the lease
 *   itself stays ours, other instances see it owned;
 * - `listCheckpoints`: the leases' checkpoints (`sequence@offset`), written by the commits
 *   (`ctx.deliver(…, { checkpoint })`), never by the SDK;
 * - `updateCheckpoint`: a fenced write outside a commit, refused with LEASE_LOST unless this
 *   instance holds the partition's current lease. Cloudbridge never calls it.
 */
import type { Logger } from '../../core/logger.ts';
import { CloudbridgeError } from '../../core/errors.ts';
import type { LeaseStore, LeaseToken, PartitionLease } from '../../core/partitions.ts';
import type { CheckpointStore } from './event-hubs-api.ts';
import { formatPosition, leaseKey, leasePrefix, parsePosition } from './position.ts';

type Ownership = Awaited<ReturnType<CheckpointStore['listOwnership']>>[number];
type Checkpoint = Parameters<CheckpointStore['updateCheckpoint']>[0];

export interface LeaseCheckpointStoreOptions {
  leases: LeaseStore;
  owner: string;
  ttlMs: number;
  log: Logger;
  /** A partition this instance held was claimed by another or could not be renewed. */
  lost(partitionId: string): void;
  /** True when the partition's reader here stopped to be started again (rewound): listed as free to the SDK. */
  wantsNewPump(partitionId: string): boolean;
  /** This instance now holds the partition with `token` (claimed or renewed). */
  held(partitionId: string, lease: PartitionLease): void;
}

export class LeaseCheckpointStore implements CheckpointStore {
  private readonly o: LeaseCheckpointStoreOptions;
  /** The token this instance holds, per lease key. */
  private readonly tokens = new Map<string, number>();
  /** The leases as last listed or written (for the status). */
  readonly known = new Map<string, PartitionLease>();

  constructor(o: LeaseCheckpointStoreOptions) {
    this.o = o;
  }

  /** The token this instance holds for the partition's lease; null when it holds none. */
  tokenOf(key: string): LeaseToken | null {
    const token = this.tokens.get(key);
    return token === undefined ? null : { owner: this.o.owner, token };
  }

  async listOwnership(namespace: string, eventHubName: string, consumerGroup: string): Promise<Ownership[]> {
    const prefix = leasePrefix(namespace, eventHubName, consumerGroup);
    const out: Ownership[] = [];
    for (const lease of await this.o.leases.list()) {
      if (!lease.partition.startsWith(prefix)) continue;
      this.known.set(lease.partition, lease);
      const partitionId = lease.partition.slice(prefix.length);
      if (this.tokens.has(lease.partition) && (lease.owner !== this.o.owner || lease.token !== this.tokens.get(lease.partition))) this.drop(lease.partition, partitionId);
      const ownership = this.ownershipOf(lease, namespace, eventHubName, consumerGroup, partitionId);
      // Ours, but its pump stopped to rewind: free for this instance's balancer to claim (renew) again.
      if (this.tokens.has(lease.partition) && this.o.wantsNewPump(partitionId)) ownership.ownerId = '';
      out.push(ownership);
    }
    return out;
  }

  async claimOwnership(requests: Ownership[]): Promise<Ownership[]> {
    const out: Ownership[] = [];
    for (const r of requests) {
      const key = leaseKey(r.fullyQualifiedNamespace, r.eventHubName, r.consumerGroup, r.partitionId);
      const expected = r.etag === undefined ? 0 : Number(r.etag);
      let lease: PartitionLease | null;
      if (r.ownerId === '') {
        const ok = this.tokens.has(key) && await this.o.leases.release(key, { owner: this.o.owner, token: expected });
        this.tokens.delete(key);
        if (ok) out.push({ ...r, ownerId: '', lastModifiedTimeInMs: 0 });
        continue;
      }
      if (this.tokens.get(key) === expected) {
        lease = await this.o.leases.renew(key, { owner: this.o.owner, token: expected }, this.o.ttlMs);
        if (!lease) {
          this.drop(key, r.partitionId);
          continue;
        }
      } else {
        lease = await this.o.leases.claim(key, this.o.owner, expected, this.o.ttlMs);
        if (!lease) continue;
        this.o.log.info({ partitionId: r.partitionId, token: lease.token, checkpoint: lease.checkpoint }, 'claimed Event Hubs partition');
      }
      this.tokens.set(key, lease.token);
      this.known.set(key, lease);
      this.o.held(r.partitionId, lease);
      out.push(this.ownershipOf(lease, r.fullyQualifiedNamespace, r.eventHubName, r.consumerGroup, r.partitionId));
    }
    return out;
  }

  async listCheckpoints(namespace: string, eventHubName: string, consumerGroup: string): Promise<Checkpoint[]> {
    const prefix = leasePrefix(namespace, eventHubName, consumerGroup);
    const out: Checkpoint[] = [];
    for (const lease of await this.o.leases.list()) {
      if (!lease.partition.startsWith(prefix)) continue;
      const p = parsePosition(lease.checkpoint);
      if (p) out.push({ fullyQualifiedNamespace: namespace, eventHubName, consumerGroup, partitionId: lease.partition.slice(prefix.length), sequenceNumber: p.sequenceNumber, offset: p.offset });
    }
    return out;
  }

  async updateCheckpoint(c: Checkpoint): Promise<void> {
    const key = leaseKey(c.fullyQualifiedNamespace, c.eventHubName, c.consumerGroup, c.partitionId);
    const lease = this.tokenOf(key);
    const position = formatPosition({ sequenceNumber: c.sequenceNumber, offset: String(c.offset) });
    if (!lease || !await this.o.leases.checkpoint(key, lease, position)) {
      throw new CloudbridgeError('LEASE_LOST', `partition ${c.partitionId}: checkpoint ${position} refused, this instance does not hold the partition's lease`, { partition: key });
    }
  }

  /** Forgets that this instance holds the partition (it was stolen, or its renewal was refused). */
  private drop(key: string, partitionId: string): void {
    if (!this.tokens.delete(key)) return;
    this.o.lost(partitionId);
  }

  private ownershipOf(lease: PartitionLease, namespace: string, eventHubName: string, consumerGroup: string, partitionId: string): Ownership {
    return {
      fullyQualifiedNamespace: namespace, eventHubName, consumerGroup, partitionId,
      ownerId: lease.owner ?? '',
      etag: String(lease.token),
      lastModifiedTimeInMs: lease.owner ? lease.expiresAt - this.o.ttlMs : 0,
    };
  }
}

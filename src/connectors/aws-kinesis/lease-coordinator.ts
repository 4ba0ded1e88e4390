/**
 * The shard leases of one instance: which shards it reads. Three timers, none of which waits on
 * the pipeline (docs/field-lessons.md #8: a blocked pipeline must never let leases expire):
 *   - renewal, every third of leaseDurationSeconds: renews every lease a reader here holds; a
 *     refused renewal (taken over) or one that could not reach the store before the lease expired
 *     stops the reader;
 *   - lease cycle, as often (with jitter), and also right when another instance's lease expires:
 *     lists the leases, stops readers fenced out, claims this instance's fair share
 *     (lease-balance.ts) and has a reader started for each claimed shard;
 *   - shard sync, every shardSyncIntervalSeconds and when a shard ends: ListShards, leases for new
 *     shards, removal of finished leases whose children started (shard-plan.ts).
 * Lease work (cycles and syncs) runs one piece at a time; a failed piece (the store is down) is
 * logged and the next one comes at its time.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { LeaseStore, LeaseToken, PartitionLease } from '../../core/partitions.ts';
import type { InitialPosition } from './config-spec.ts';
import type { KinesisShard } from './kinesis-api.ts';
import { balance } from './lease-balance.ts';
import { isReadable, planSync, type LeaseKeys, type ShardLeaseInfo } from './shard-plan.ts';

/** A reader as the coordinator sees it. */
export interface LeaseHolder {
  readonly shardId: string;
  readonly partition: string;
  readonly lease: LeaseToken;
  expiresAt: number;
  readonly active: boolean;
  readonly state: string;
}

export interface LeaseCoordinatorOptions {
  leases: LeaseStore;
  keys: LeaseKeys;
  owner: string;
  ttlMs: number;
  initialPosition: InitialPosition;
  shardSyncIntervalMs: number;
  clock: Clock;
  log: Logger;
  random?: (() => number) | undefined;
  listShards(): Promise<KinesisShard[]>;
  /** The readers running here, by shard id. */
  readers(): ReadonlyMap<string, LeaseHolder>;
  /** A lease was claimed: start reading its shard. */
  claimed(lease: PartitionLease): void;
  /** A reader's lease is gone: stop it (never release it: it is not ours any more). False when it was stopped already. */
  lost(holder: LeaseHolder, why: string): boolean;
}

export class LeaseCoordinator {
  /** The leases of this stream and application, by shard id, as the last cycle listed them. */
  known = new Map<string, ShardLeaseInfo>();
  /** The shards of the last ListShards. */
  shards: KinesisShard[] = [];
  readonly counters = { claimed: 0, stolen: 0, lost: 0, released: 0, finished: 0, removed: 0, syncs: 0, leaseErrors: 0 };
  private readonly o: LeaseCoordinatorOptions;
  private lastReadable: readonly PartitionLease[] = [];
  private work: Promise<void> = Promise.resolve();
  private renewTimer: TimerHandle | null = null;
  private cycleTimer: TimerHandle | null = null;
  private syncTimer: TimerHandle | null = null;
  /** Cycles and syncs go on. */
  private cycling = false;
  /** Renewals go on (also while the readers drain at stop). */
  private renewing = false;

  constructor(o: LeaseCoordinatorOptions) {
    this.o = o;
  }

  /** The first sync (it throws: the start fails), then renewals, syncs and the first cycle. */
  async open(): Promise<void> {
    await this.sync();
    this.cycling = true;
    this.renewing = true;
    this.scheduleRenewal();
    this.scheduleSync();
    await this.runCycle();
  }

  /** No more cycles and syncs (the one running finishes); renewals go on. */
  async halt(): Promise<void> {
    this.cycling = false;
    for (const t of [this.cycleTimer, this.syncTimer]) if (t) this.o.clock.clearTimeout(t);
    this.cycleTimer = null;
    this.syncTimer = null;
    await this.work;
  }

  /** No more renewals. */
  close(): void {
    this.renewing = false;
    if (this.renewTimer) this.o.clock.clearTimeout(this.renewTimer);
    this.renewTimer = null;
  }

  /** A shard was read to its end: its children may be read now (after a sync that finds them). */
  shardFinished(): void {
    this.counters.finished++;
    if (this.cycling) void this.coordinate(() => this.sync()).then(() => this.runCycle());
  }

  /** Gives a lease up (graceful hand-off, or a finished shard); another instance may claim it at once. */
  async release(holder: Pick<LeaseHolder, 'shardId' | 'partition' | 'lease'>): Promise<void> {
    try {
      if (await this.o.leases.release(holder.partition, holder.lease)) this.counters.released++;
    } catch (err) {
      this.o.log.warn({ shardId: holder.shardId, err: toCloudbridgeError(err).message }, 'could not release the shard lease; it expires by itself');
    }
  }

  lose(holder: LeaseHolder, why: string): void {
    if (this.o.lost(holder, why)) this.counters.lost++;
  }

  /** Runs lease work one piece at a time (sync, cycle), never two at once. */
  private coordinate(piece: () => Promise<void>): Promise<void> {
    const next = this.work.then(piece).catch((err: unknown) => {
      this.counters.leaseErrors++;
      this.o.log.warn({ err: toCloudbridgeError(err).message }, 'shard lease coordination failed; retrying on the next cycle');
    });
    this.work = next;
    return next;
  }

  /** ListShards, then leases for new shards and removal of finished ones whose children started. */
  private async sync(): Promise<void> {
    const shards = await this.o.listShards();
    const known = this.o.keys.mine(await this.o.leases.list());
    const plan = planSync(shards, known, this.o.keys, this.o.initialPosition);
    if (plan.create.length > 0) {
      await this.o.leases.ensure(plan.create);
      this.o.log.info({ shards: plan.create.map((c) => c.meta.shardId) }, 'new shard leases');
    }
    if (plan.remove.length > 0) {
      await this.o.leases.remove(plan.remove);
      this.counters.removed += plan.remove.length;
      this.o.log.info({ partitions: plan.remove }, 'removed the leases of finished shards whose children started');
    }
    this.shards = shards;
    this.counters.syncs++;
  }

  /** Lists the leases, stops readers fenced out, claims this instance's share and has their readers started. */
  private async cycle(): Promise<void> {
    if (!this.cycling) return;
    const { owner, keys } = this.o;
    const now = this.o.clock.now();
    this.known = keys.mine(await this.o.leases.list());
    const readers = this.o.readers();
    for (const reader of readers.values()) {
      const info = this.known.get(reader.shardId);
      if (reader.active && (!info || info.lease.owner !== owner || info.lease.token !== reader.lease.token)) {
        this.lose(reader, 'the lease table shows another owner');
      }
    }
    // A lease in this instance's name that no reader here holds (its reader finished or was lost,
    // or an earlier run used the same owner id) is free to claim again, not a share already taken.
    const readable = [...this.known.values()].filter((i) => isReadable(i, this.known))
      .map((i) => (i.lease.owner === owner && !readers.get(i.shardId)?.active ? { ...i.lease, owner: null } : i.lease));
    this.lastReadable = readable;
    const decision = balance({ readable, me: owner, now, random: this.o.random });
    for (const lease of decision.claim) {
      const shardId = lease.meta.shardId ?? lease.partition.slice(keys.prefix.length);
      if (readers.has(shardId) || !this.cycling) continue;
      const claimed = await this.o.leases.claim(lease.partition, owner, lease.token, this.o.ttlMs);
      if (!claimed) continue;
      this.counters.claimed++;
      if (decision.reason.startsWith('steal')) this.counters.stolen++;
      this.o.log.info({ shardId, reason: decision.reason, token: claimed.token, checkpoint: claimed.checkpoint, target: decision.target, instances: decision.liveInstances }, 'shard lease claimed');
      this.o.claimed(claimed);
    }
  }

  /** One lease cycle, then the next one scheduled, whether this one succeeded or not (the store may be down). */
  private runCycle(): Promise<void> {
    return this.coordinate(() => this.cycle()).finally(() => this.scheduleCycle());
  }

  private scheduleCycle(): void {
    if (!this.cycling) return;
    if (this.cycleTimer) this.o.clock.clearTimeout(this.cycleTimer);
    const now = this.o.clock.now();
    const random = this.o.random ?? Math.random;
    let delay = Math.max(500, Math.floor(this.o.ttlMs / 3)) * (0.9 + random() * 0.2);
    // Right when another instance's lease expires (it died or froze): take over without waiting.
    for (const l of this.lastReadable) {
      if (l.owner !== null && l.owner !== this.o.owner && l.expiresAt > now) delay = Math.min(delay, l.expiresAt - now + 50);
    }
    this.cycleTimer = this.o.clock.setTimeout(() => {
      this.cycleTimer = null;
      void this.runCycle();
    }, Math.max(50, delay));
    this.cycleTimer.unref?.();
  }

  private scheduleSync(): void {
    this.syncTimer = this.o.clock.setTimeout(() => {
      this.syncTimer = null;
      if (!this.cycling) return;
      void this.coordinate(() => this.sync()).finally(() => this.scheduleSync());
    }, this.o.shardSyncIntervalMs);
    this.syncTimer.unref?.();
  }

  private scheduleRenewal(): void {
    if (!this.renewing) return;
    this.renewTimer = this.o.clock.setTimeout(() => {
      this.renewTimer = null;
      void this.renewAll().finally(() => this.scheduleRenewal());
    }, Math.max(200, Math.floor(this.o.ttlMs / 3)));
    this.renewTimer.unref?.();
  }

  /** Renews every lease a reader here holds, all at once; a refused renewal, or one failing past the expiry, stops the reader. */
  private async renewAll(): Promise<void> {
    await Promise.all([...this.o.readers().values()].map(async (reader) => {
      if (reader.state === 'lost' || reader.state === 'finished') return;
      try {
        const lease = await this.o.leases.renew(reader.partition, reader.lease, this.o.ttlMs);
        if (lease) reader.expiresAt = lease.expiresAt;
        else this.lose(reader, 'its renewal was refused (taken over)');
      } catch (err) {
        this.counters.leaseErrors++;
        if (this.o.clock.now() >= reader.expiresAt) this.lose(reader, 'it expired while the store could not be reached');
        else this.o.log.warn({ shardId: reader.shardId, err: toCloudbridgeError(err).message }, 'shard lease renewal failed; retrying');
      }
    }));
  }
}

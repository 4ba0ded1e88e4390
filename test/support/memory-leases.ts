/**
 * In-memory stand-ins for the lease role (src/core/partitions.ts) and for a store that commits
 * checkpoints with the data, for tests of partitioned connectors without a database:
 *
 *   const leases = new MemoryLeaseStore();
 *   const store = new MemoryCheckpointedStore(leases);
 *   const ctx = createPartitionedTestContext({ leases, store });   // deliver commits with fencing
 *
 * Semantics as the real stores give them: every lease write is a compare-and-set on the token
 * (owner and token must be current); a commit whose checkpoint's lease is not current is refused
 * as a whole with LEASE_LOST; messages whose sourceKey was committed before are duplicates
 * (dedupe `check`), `none` records nothing.
 */
import type { DeliveryReport } from '../../src/core/connector.ts';
import { systemClock, type Clock } from '../../src/core/clock.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import type { UplinkMessage } from '../../src/core/model.ts';
import type { DeliveryCheckpoint, LeaseStore, LeaseToken, PartitionLease } from '../../src/core/partitions.ts';
import { createTestContext, storeUnavailable, type DeliveryCall, type TestConnectorContext } from './connector-context.ts';

const copy = (l: PartitionLease): PartitionLease => ({ ...l, meta: { ...l.meta } });

export class MemoryLeaseStore implements LeaseStore {
  readonly leases = new Map<string, PartitionLease>();
  /** Every successful claim: partition, owner, token. */
  readonly claims: Array<{ partition: string; owner: string; token: number; at: number }> = [];
  /** When set, every call rejects with it (the database is down). */
  failWith: Error | null = null;
  private readonly clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  private check(): void {
    if (this.failWith) throw this.failWith;
  }

  current(partition: string, lease: LeaseToken): PartitionLease | null {
    const l = this.leases.get(partition);
    return l && l.owner === lease.owner && l.token === lease.token ? l : null;
  }

  async list(): Promise<PartitionLease[]> {
    this.check();
    return [...this.leases.values()].map(copy);
  }

  async ensure(partitions: Array<{ partition: string; meta?: Record<string, string> }>): Promise<void> {
    this.check();
    for (const p of partitions) {
      const l = this.leases.get(p.partition);
      if (l) l.meta = { ...l.meta, ...p.meta };
      else this.leases.set(p.partition, { partition: p.partition, owner: null, token: 0, expiresAt: 0, checkpoint: null, meta: { ...p.meta } });
    }
  }

  async claim(partition: string, owner: string, expectedToken: number, ttlMs: number): Promise<PartitionLease | null> {
    this.check();
    const l = this.leases.get(partition);
    if (!l || l.token !== expectedToken) return null;
    l.owner = owner;
    l.token++;
    l.expiresAt = this.clock.now() + ttlMs;
    this.claims.push({ partition, owner, token: l.token, at: this.clock.now() });
    return copy(l);
  }

  async renew(partition: string, lease: LeaseToken, ttlMs: number): Promise<PartitionLease | null> {
    this.check();
    const l = this.current(partition, lease);
    if (!l) return null;
    l.expiresAt = this.clock.now() + ttlMs;
    return copy(l);
  }

  async release(partition: string, lease: LeaseToken): Promise<boolean> {
    this.check();
    const l = this.current(partition, lease);
    if (!l) return false;
    l.owner = null;
    l.expiresAt = 0;
    return true;
  }

  async checkpoint(partition: string, lease: LeaseToken, position: string): Promise<boolean> {
    this.check();
    const l = this.current(partition, lease);
    if (!l) return false;
    l.checkpoint = position;
    return true;
  }

  async setMeta(partition: string, lease: LeaseToken, meta: Record<string, string>): Promise<boolean> {
    this.check();
    const l = this.current(partition, lease);
    if (!l) return false;
    l.meta = { ...l.meta, ...meta };
    return true;
  }

  async remove(partitions: string[]): Promise<void> {
    this.check();
    for (const p of partitions) this.leases.delete(p);
  }

  /** The checkpoint of a partition (null: none or no lease). */
  checkpointOf(partition: string): string | null {
    return this.leases.get(partition)?.checkpoint ?? null;
  }
}

/** What was committed: every stored message in commit order, and the dedupe keys. */
export class MemoryCheckpointedStore {
  readonly stored: UplinkMessage[] = [];
  readonly keys = new Set<string>();
  duplicates = 0;
  commits = 0;
  refused = 0;
  private readonly leases: MemoryLeaseStore;

  constructor(leases: MemoryLeaseStore) {
    this.leases = leases;
  }

  /** One transaction: all messages and the checkpoint, or nothing (LEASE_LOST when fenced out). */
  commit(messages: UplinkMessage[], checkpoint: DeliveryCheckpoint | undefined): DeliveryReport {
    if (checkpoint && !this.leases.current(checkpoint.partition, checkpoint.lease)) {
      this.refused++;
      throw new CloudbridgeError('LEASE_LOST', `the lease of ${checkpoint.partition} was taken over`, { partition: checkpoint.partition });
    }
    const report: DeliveryReport = { stored: 0, deadLettered: 0, duplicates: 0 };
    for (const m of messages) {
      const mode = m.dedupe ?? 'check';
      if (mode === 'check' && this.keys.has(m.sourceKey)) {
        report.duplicates++;
        this.duplicates++;
        continue;
      }
      if (mode !== 'none') this.keys.add(m.sourceKey);
      this.stored.push(m);
      report.stored++;
    }
    if (checkpoint) {
      const l = this.leases.leases.get(checkpoint.partition);
      if (l) l.checkpoint = checkpoint.position;
    }
    this.commits++;
    return report;
  }

  /** Stored payloads as text. */
  texts(): string[] {
    return this.stored.map((m) => Buffer.from(m.payload).toString('utf8'));
  }
}

export interface PartitionedTestContext extends TestConnectorContext {
  leases: MemoryLeaseStore;
  deliver(batch: UplinkMessage[], signal?: AbortSignal, opts?: { checkpoint?: DeliveryCheckpoint }): Promise<DeliveryReport>;
  /** The checkpoint each delivery call carried (same index as `calls`). */
  readonly deliveredCheckpoints: Array<DeliveryCheckpoint | undefined>;
}

/**
 * A test context whose deliveries commit to `store` (after a turn of the event loop) in the default
 * mode; `hold`, `reject` and custom modes as in createTestContext (a held call commits when the test
 * resolves it).
 */
export function createPartitionedTestContext(opts: { leases: MemoryLeaseStore; store: MemoryCheckpointedStore; integrationName?: string; clock?: Clock }): PartitionedTestContext {
  const base = createTestContext();
  const checkpoints: Array<DeliveryCheckpoint | undefined> = [];
  const ctx = base as unknown as PartitionedTestContext;
  ctx.integrationName = opts.integrationName ?? 'kinesis-test';
  if (opts.clock) ctx.clock = opts.clock;
  ctx.leases = opts.leases;
  Object.defineProperty(ctx, 'deliveredCheckpoints', { value: checkpoints });
  const deliverBase = base.deliver.bind(base);
  ctx.deliver = (batch, signal, o) => {
    checkpoints.push(o?.checkpoint);
    const userMode = base.mode;
    // Commit when the call resolves; anything that throws (LEASE_LOST) rejects it instead.
    const commitOnResolve = (b: UplinkMessage[], call: DeliveryCall): void => {
      const resolve = call.resolve.bind(call);
      call.resolve = () => {
        try {
          resolve(opts.store.commit(b, o?.checkpoint));
        } catch (err) {
          call.reject(err);
        }
      };
      if (userMode === 'resolve') setImmediate(() => call.resolve());
      else if (userMode === 'reject') setImmediate(() => call.reject(storeUnavailable()));
      else if (typeof userMode === 'function') userMode(b, call);
    };
    base.mode = commitOnResolve;
    try {
      return deliverBase(batch, signal, o);
    } finally {
      base.mode = userMode;
    }
  };
  return ctx;
}

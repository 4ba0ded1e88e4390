/**
 * A ConnectorContext for connector tests whose `deliver` the test controls. Generic: it imports
 * nothing MQTT-specific, so any connector's tests can use it.
 *
 *   const ctx = createTestContext();            // deliver resolves (asynchronously) by default
 *   ctx.mode = 'hold';                          // deliveries wait for call.resolve()/reject()
 *   ctx.mode = 'reject';                        // deliveries reject with STORE_UNAVAILABLE, retry after 100 ms
 *   ctx.mode = (batch, call) => ...;            // anything else
 *   await waitFor(() => ctx.delivered.length === 10);   // test/support/wait.ts
 *
 * `ctx.leases` is the real lease store of a SQLite store in memory (one per context). Contexts of
 * several instances of one integration share theirs: `const leases = memoryLeaseStore();
 * createTestContext({ leases })` twice (or pass a real store, e.g. PostgreSQL).
 */
import type { ConnectorContext, DeliveryOptions, DeliveryReport } from '../../src/core/connector.ts';
import { systemClock } from '../../src/core/clock.ts';
import { CloudbridgeError, DeliveryRejectedError } from '../../src/core/errors.ts';
import { silentLogger, type Logger } from '../../src/core/logger.ts';
import type { DownlinkOutcome, UplinkMessage } from '../../src/core/model.ts';
import type { DeliveryCheckpoint } from '../../src/core/partitions.ts';
import { bindLeaseStore } from '../../src/store/leases.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { LeaseStoreRole } from '../../src/store/types.ts';

export interface DeliveryCall {
  readonly batch: UplinkMessage[];
  /** What the connector passed besides the messages (a partition checkpoint). */
  readonly options: DeliveryOptions;
  readonly at: number;
  settled: 'pending' | 'resolved' | 'rejected';
  resolve(report?: DeliveryReport): void;
  reject(error?: unknown): void;
}

export type DeliverMode = 'resolve' | 'hold' | 'reject' | ((batch: UplinkMessage[], call: DeliveryCall) => void);

export interface StateReport {
  state: 'connecting' | 'connected' | 'disconnected';
  error?: unknown;
  at: number;
}

export interface TestConnectorContext extends ConnectorContext {
  mode: DeliverMode;
  /** Every message handed to deliver(), in call order (including rejected ones). */
  readonly delivered: UplinkMessage[];
  readonly calls: DeliveryCall[];
  readonly states: StateReport[];
  readonly warnings: Array<{ code: string; message: string; details?: Record<string, unknown> }>;
  /** Downlink outcomes the connector reported (`downlinkOutcome`), in order, repeats included. */
  readonly outcomes: Array<{ downlinkId: string; outcome: DownlinkOutcome; detail: string | undefined }>;
  /** Checkpoints of resolved deliveries, in the order they resolved (what the commits would have written). */
  readonly committedCheckpoints: DeliveryCheckpoint[];
  /** Deliveries not settled yet. */
  pending(): DeliveryCall[];
  /** Most deliveries ever pending at once. */
  readonly maxPending: number;
  /** Resolves (or rejects) every pending delivery. */
  settleAll(outcome?: 'resolve' | 'reject'): void;
  /** Aborts ctx.signal (as the runtime does when an integration stops). */
  abort(): void;
  /** The store behind `leases` (inspect or change leases as another instance would). */
  readonly leaseStore: LeaseStoreRole;
}

/** The lease role of a real SQLite store in memory, created and migrated on first use. */
export function memoryLeaseStore(): LeaseStoreRole {
  let opened: Promise<SqliteStore> | undefined;
  const store = async (): Promise<SqliteStore> => {
    opened ??= (async () => {
      const s = new SqliteStore({ path: ':memory:' });
      await s.migrate();
      return s;
    })();
    return opened;
  };
  return {
    listLeases: async (id) => (await store()).listLeases(id),
    ensureLeases: async (id, partitions) => (await store()).ensureLeases(id, partitions),
    claimLease: async (id, partition, owner, expectedToken, ttlMs) => (await store()).claimLease(id, partition, owner, expectedToken, ttlMs),
    renewLease: async (id, partition, lease, ttlMs) => (await store()).renewLease(id, partition, lease, ttlMs),
    releaseLease: async (id, partition, lease) => (await store()).releaseLease(id, partition, lease),
    writeCheckpoint: async (id, partition, lease, position) => (await store()).writeCheckpoint(id, partition, lease, position),
    setLeaseMeta: async (id, partition, lease, meta) => (await store()).setLeaseMeta(id, partition, lease, meta),
    removeLeases: async (id, partitions) => (await store()).removeLeases(id, partitions),
  };
}

/** What the pipeline rejects a delivery with when the store is down: STORE_UNAVAILABLE, come back after `retryAfterMs`. */
export function storeUnavailable(retryAfterMs = 100): DeliveryRejectedError {
  return new DeliveryRejectedError(new CloudbridgeError('STORE_UNAVAILABLE', 'test store is down'), retryAfterMs);
}

export function createTestContext(
  opts: { mode?: DeliverMode; log?: Logger; integrationId?: string; leases?: LeaseStoreRole } = {},
): TestConnectorContext {
  const controller = new AbortController();
  const delivered: UplinkMessage[] = [];
  const calls: DeliveryCall[] = [];
  const states: StateReport[] = [];
  const warnings: TestConnectorContext['warnings'] = [];
  const committedCheckpoints: DeliveryCheckpoint[] = [];
  const outcomes: TestConnectorContext['outcomes'] = [];
  let pendingCount = 0;
  let maxPending = 0;
  const integrationId = opts.integrationId ?? 'test-integration';
  const leaseStore = opts.leases ?? memoryLeaseStore();

  const ctx: TestConnectorContext = {
    integrationId,
    integrationName: 'test integration',
    mode: opts.mode ?? 'resolve',
    delivered,
    calls,
    states,
    warnings,
    committedCheckpoints,
    outcomes,
    downlinkOutcome(downlinkId, outcome, detail) {
      const first = !outcomes.some((o) => o.downlinkId === downlinkId);
      outcomes.push({ downlinkId, outcome, detail });
      return Promise.resolve(first);
    },
    leases: bindLeaseStore(leaseStore, integrationId),
    leaseStore,
    log: opts.log ?? silentLogger,
    clock: systemClock,
    signal: controller.signal,
    get maxPending() { return maxPending; },
    deliver(batch, signal, options = {}) {
      if (signal?.aborted) return Promise.reject(signal.reason ?? new CloudbridgeError('SHUTTING_DOWN', 'aborted'));
      delivered.push(...batch);
      return new Promise<DeliveryReport>((resolve, reject) => {
        pendingCount++;
        maxPending = Math.max(maxPending, pendingCount);
        const settle = (): boolean => {
          if (call.settled !== 'pending') return false;
          pendingCount--;
          return true;
        };
        const call: DeliveryCall = {
          batch,
          options,
          at: Date.now(),
          settled: 'pending',
          resolve: (report) => {
            if (!settle()) return;
            call.settled = 'resolved';
            if (options.checkpoint) committedCheckpoints.push(options.checkpoint);
            resolve(report ?? { stored: batch.length, deadLettered: 0, duplicates: 0 });
          },
          reject: (error) => {
            if (!settle()) return;
            call.settled = 'rejected';
            reject(error ?? storeUnavailable());
          },
        };
        calls.push(call);
        const mode = ctx.mode;
        if (mode === 'resolve') setImmediate(() => call.resolve());
        else if (mode === 'reject') setImmediate(() => call.reject());
        else if (typeof mode === 'function') mode(batch, call);
      });
    },
    reportState(state, error) {
      states.push({ state, error, at: Date.now() });
    },
    warn(code, message, details) {
      warnings.push({ code, message, ...(details ? { details } : {}) });
    },
    pending: () => calls.filter((c) => c.settled === 'pending'),
    settleAll(outcome = 'resolve') {
      for (const c of calls) {
        if (c.settled !== 'pending') continue;
        if (outcome === 'resolve') c.resolve();
        else c.reject();
      }
    },
    abort: () => controller.abort(new CloudbridgeError('SHUTTING_DOWN', 'integration stopping')),
  };
  return ctx;
}

/** Payloads as UTF-8 strings. */
export function texts(messages: UplinkMessage[]): string[] {
  return messages.map((m) => Buffer.from(m.payload).toString('utf8'));
}

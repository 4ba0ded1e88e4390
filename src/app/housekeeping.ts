/**
 * Periodic upkeep that keeps the store bounded: retention (old telemetry, events, dead letters
 * and downlinks, ./retention.ts), excess events, old dedupe keys and audit entries past their
 * retention (every `intervalMs`), and for SQLite the write-ahead-log guard and the free-space
 * check of the database's file system (every `filesIntervalMs`).
 */
import type { Clock } from '../core/clock.ts';
import { toCloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../store/types.ts';
import type { DiskMonitor } from './disk-space.ts';
import type { Retention } from './retention.ts';
import type { WalGuard } from './wal-guard.ts';

export interface HousekeepingOptions {
  store: Store;
  log: Logger;
  clock: Clock;
  intervalMs?: number;
  /** Without `retention`: events older than this go (default 7 days). */
  eventMaxAgeMs?: number;
  /** Prunes old rows of every kind (events by age too). */
  retention?: Retention;
  eventsPerIntegration?: number;
  dedupeRetentionMs?: number;
  /** How long audit entries are kept (docs/audit.md). Default AUDIT_RETENTION_MS. */
  auditRetentionMs?: number;
  /** SQLite: keeps the WAL bounded. */
  walGuard?: WalGuard;
  /** SQLite: watches the free space where the database is. */
  disk?: DiskMonitor;
  /** How often the WAL and the free space are checked. Default 10 s. */
  filesIntervalMs?: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** Audit entries are kept a year by default. */
export const AUDIT_RETENTION_MS = 365 * DAY_MS;

export interface Housekeeping {
  stop(): void;
  /** Prunes once. */
  runOnce(): Promise<void>;
  /** Checks the WAL and the free disk space once. */
  checkFiles(): Promise<void>;
}

export function startHousekeeping(opts: HousekeepingOptions): Housekeeping {
  let running: Promise<void> | null = null;
  const prune = async (): Promise<void> => {
    const now = opts.clock.now();
    try {
      const retained = await opts.retention?.run();
      const events = await opts.store.pruneEvents({
        olderThan: opts.retention ? 0 : now - (opts.eventMaxAgeMs ?? 7 * DAY_MS), maxPerIntegration: opts.eventsPerIntegration ?? 10_000,
      });
      const keys = await opts.store.pruneDedupeKeys(now - (opts.dedupeRetentionMs ?? 7 * DAY_MS));
      const audit = await opts.store.pruneAudit(now - (opts.auditRetentionMs ?? AUDIT_RETENTION_MS));
      const total = events + keys + audit + Object.values(retained ?? {}).reduce((a, b) => a + b, 0);
      if (total > 0) opts.log.info({ ...retained, eventsBeyondCount: events, dedupeKeys: keys, audit }, 'housekeeping pruned rows');
    } catch (err) {
      opts.log.warn({ err: toCloudbridgeError(err).message }, 'housekeeping failed');
    }
  };
  // A run that outlasts the interval is not started twice.
  const runOnce = (): Promise<void> => {
    running ??= prune().finally(() => { running = null; });
    return running;
  };
  const checkFiles = async (): Promise<void> => {
    try {
      await opts.walGuard?.check();
      await opts.disk?.check();
    } catch (err) {
      opts.log.warn({ err: toCloudbridgeError(err).message }, 'store file check failed');
    }
  };
  const timer = setInterval(() => void runOnce(), opts.intervalMs ?? 10 * 60_000);
  timer.unref();
  const filesTimer = opts.walGuard || opts.disk ? setInterval(() => void checkFiles(), opts.filesIntervalMs ?? 10_000) : null;
  filesTimer?.unref();
  return {
    stop: () => {
      clearInterval(timer);
      if (filesTimer) clearInterval(filesTimer);
    },
    runOnce, checkFiles,
  };
}

/**
 * Whether the store takes writes, as the commits show it: every integration's store commit passes
 * through `observe()`, so a failed commit (full disk, read-only file system, database down) makes
 * the store "not writable" at once, with the error, the integration that saw it and since when;
 * the next successful commit makes it writable again. When no commit has been attempted for
 * `probeAfterQuietMs` (no traffic, or intake waiting for a redelivery), a small write probe takes
 * the commits' place, so an idle instance notices a failure and a recovery too. `/ready` and the
 * integrations' status read it.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';
import { CloudbridgeError, toCloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { CommitPort } from '../core/ports.ts';
import type { Store } from '../store/types.ts';

export interface StoreFailure {
  code: string;
  /** The store's own words, e.g. "commit failed: database or disk is full". */
  message: string;
  /** The integration whose commit failed last in this outage (null: only the write probe failed). */
  integration: string | null;
  /** When the first commit of this outage failed (epoch ms). */
  since: number;
  /** When a write failed last. */
  lastAt: number;
  /** Failed writes (commits and probes) in this outage. */
  failures: number;
}

export interface StoreHealthSnapshot {
  writable: boolean;
  failure: StoreFailure | null;
  /** The last successful commit or probe (epoch ms), null before the first. */
  lastSuccessAt: number | null;
  /** When the store became writable again after the last outage (epoch ms). */
  recoveredAt: number | null;
}

export interface StoreHealthOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The name of an integration, for the failure (default: the id). */
  integrationName?: (integrationId: string) => string | undefined;
  /** Probe the store with a small write after this long without any commit attempt. Default 30 000. */
  probeAfterQuietMs?: number;
  /** Called when the store becomes writable again (after a failure), with the time. */
  onRecovered?: (at: number) => void;
}

/** The settings key the write probe updates. */
export const PROBE_KEY = 'store.health.probe';

export class StoreHealth {
  private readonly opts: StoreHealthOptions;
  private readonly probeAfterQuietMs: number;
  private failure: StoreFailure | null = null;
  private lastSuccessAt: number | null = null;
  private recoveredAt: number | null = null;
  private lastAttemptAt: number;
  private probing = false;
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(opts: StoreHealthOptions) {
    this.opts = opts;
    this.probeAfterQuietMs = opts.probeAfterQuietMs ?? 30_000;
    this.lastAttemptAt = opts.clock.now();
  }

  /** Wraps a store commit so that its outcome feeds the health (the result or error passes through). */
  observe(commit: CommitPort): CommitPort {
    return async (c) => {
      this.lastAttemptAt = this.opts.clock.now();
      try {
        const result = await commit(c);
        this.succeeded();
        return result;
      } catch (err) {
        // LEASE_LOST: the store answered, refusing a fenced-out owner's commit (ADR 008); it takes writes.
        if (err instanceof CloudbridgeError && err.code === 'LEASE_LOST') this.succeeded();
        else this.failed(err, this.opts.integrationName?.(c.integrationId) ?? c.integrationId);
        throw err;
      }
    };
  }

  snapshot(): StoreHealthSnapshot {
    return {
      writable: this.failure === null,
      failure: this.failure ? { ...this.failure } : null,
      lastSuccessAt: this.lastSuccessAt,
      recoveredAt: this.recoveredAt,
    };
  }

  get writable(): boolean {
    return this.failure === null;
  }

  /** Starts the quiet-time probe (checked every `probeAfterQuietMs / 5`). */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Writes the probe setting now; its outcome counts like a commit's. */
  async probe(): Promise<boolean> {
    if (this.probing) return this.writable;
    this.probing = true;
    this.lastAttemptAt = this.opts.clock.now();
    try {
      await this.opts.store.setSetting(PROBE_KEY, String(this.opts.clock.now()));
      this.succeeded();
      return true;
    } catch (err) {
      this.failed(err, null);
      return false;
    } finally {
      this.probing = false;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      const quiet = this.opts.clock.now() - this.lastAttemptAt >= this.probeAfterQuietMs;
      void (quiet ? this.probe() : Promise.resolve()).finally(() => this.schedule());
    }, Math.max(50, Math.floor(this.probeAfterQuietMs / 5)));
    this.timer.unref?.();
  }

  private succeeded(): void {
    const now = this.opts.clock.now();
    this.lastSuccessAt = now;
    if (this.failure === null) return;
    const failure = this.failure;
    this.failure = null;
    this.recoveredAt = now;
    this.opts.log.info({ code: failure.code, failedSinceMs: now - failure.since, failures: failure.failures }, 'store writable again');
    this.opts.onRecovered?.(now);
  }

  private failed(err: unknown, integration: string | null): void {
    const now = this.opts.clock.now();
    const cause = toCloudbridgeError(err, 'STORE_UNAVAILABLE');
    const error = cause.code === 'STORE_UNAVAILABLE' ? cause
      : new CloudbridgeError('STORE_UNAVAILABLE', `${integration === null ? 'write probe' : 'commit'} failed: ${cause.message}`);
    const first = this.failure === null;
    this.failure = {
      code: error.code, message: error.message, integration: integration ?? this.failure?.integration ?? null,
      since: this.failure?.since ?? now, lastAt: now, failures: (this.failure?.failures ?? 0) + 1,
    };
    if (first) this.opts.log.warn({ code: error.code, err: error.message, integration }, 'store not writable: commits fail');
  }
}

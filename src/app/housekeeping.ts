/** Periodic pruning that keeps the store bounded: old events, excess events, old dedupe keys. */
import type { Clock } from '../core/clock.ts';
import { toCloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../store/types.ts';

export interface HousekeepingOptions {
  store: Store;
  log: Logger;
  clock: Clock;
  intervalMs?: number;
  eventMaxAgeMs?: number;
  eventsPerIntegration?: number;
  dedupeRetentionMs?: number;
}

const DAY_MS = 24 * 3600 * 1000;

export function startHousekeeping(opts: HousekeepingOptions): { stop(): void; runOnce(): Promise<void> } {
  const runOnce = async (): Promise<void> => {
    const now = opts.clock.now();
    try {
      const events = await opts.store.pruneEvents({ olderThan: now - (opts.eventMaxAgeMs ?? 7 * DAY_MS), maxPerIntegration: opts.eventsPerIntegration ?? 10_000 });
      const keys = await opts.store.pruneDedupeKeys(now - (opts.dedupeRetentionMs ?? 7 * DAY_MS));
      if (events || keys) opts.log.debug({ events, dedupeKeys: keys }, 'housekeeping pruned rows');
    } catch (err) {
      opts.log.warn({ err: toCloudbridgeError(err).message }, 'housekeeping failed');
    }
  };
  const timer = setInterval(() => void runOnce(), opts.intervalMs ?? 10 * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}

/** The store's size and what retention keeps and prunes, read at scrape time. */
import { Gauge, type Registry } from 'prom-client';
import { RETENTION_KINDS } from '../core/retention.ts';
import type { Store } from '../store/types.ts';
import type { Retention } from './retention.ts';
import { registerScrapedCounter } from './scraped-metrics.ts';

export function registerRetentionMetrics(registry: Registry, deps: { store: Store; retention: Retention }): void {
  new Gauge({
    name: 'cloudbridge_store_size_bytes',
    help: 'Bytes the store takes: SQLite the database file and its write-ahead log; PostgreSQL the tables and indexes of its schema.',
    registers: [registry],
    async collect() {
      // While the store is down the gauge is left out (cloudbridge_store_writable says why).
      try { this.set(await deps.store.storeSizeBytes()); } catch { this.reset(); }
    },
  });
  new Gauge({
    name: 'cloudbridge_retention_oldest_row_timestamp_seconds',
    help: 'Epoch seconds of the oldest row kept per kind (telemetry, events, deadLetters, downlinks); absent when there is none. Read at most once a minute.',
    labelNames: ['kind'], registers: [registry],
    async collect() {
      this.reset();
      try {
        const oldest = await deps.retention.oldest();
        for (const kind of RETENTION_KINDS) {
          const at = oldest[kind];
          if (at !== null) this.set({ kind }, at / 1000);
        }
      } catch {
        // Store down: no value rather than a stale one.
      }
    },
  });
  registerScrapedCounter(registry, {
    name: 'cloudbridge_retention_pruned_rows_total',
    help: 'Rows deleted by retention per kind since start.',
    labelNames: ['kind'],
  }, () => RETENTION_KINDS.map((kind) => [{ kind }, deps.retention.pruned[kind]] as const));
}

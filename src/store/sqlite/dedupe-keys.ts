/**
 * Dedupe keys: one row per committed (integration, sourceKey), written in the commit's
 * transaction. Stored compactly (migration 002): the integration as a small integer from
 * `dedupe_integrations`, and a sourceKey spelled in lowercase hex (the MQTT content hash) as the
 * bytes it spells. A BLOB never equals a TEXT value and distinct hex strings spell distinct
 * bytes, so every sourceKey has exactly one stored form.
 */
import type { SqliteDatabase } from './database.ts';
import { SqliteDictionary } from './dictionary.ts';
import { MultiRowInsert, RowBuffer } from './multi-row.ts';

export type StoredSourceKey = string | Uint8Array;

const LOWER_HEX = /^(?:[0-9a-f]{2})+$/;
const PRUNE_CHUNK = 10_000;

/** The form a sourceKey is stored and looked up in. */
export function storedSourceKey(sourceKey: string): StoredSourceKey {
  return LOWER_HEX.test(sourceKey) ? Buffer.from(sourceKey, 'hex') : sourceKey;
}

/** An order close to the table's (TEXT before BLOB), so neighbouring inserts share pages. */
export function compareStoredKeys(a: StoredSourceKey, b: StoredSourceKey): number {
  if (typeof a === 'string') return typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : -1;
  return typeof b === 'string' ? 1 : Buffer.compare(a, b);
}

export class SqliteDedupeKeys {
  readonly #db: SqliteDatabase;
  readonly #integrations: SqliteDictionary;
  readonly #record: MultiRowInsert;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#integrations = new SqliteDictionary(db, 'dedupe_integrations', 'integration_id');
    // committed_at moves forward when a key is recorded again (record-only), as pruning expects.
    this.#record = new MultiRowInsert(db, {
      head: 'INSERT INTO dedupe_keys (integration, source_key, committed_at)', columns: 3,
      tail: 'ON CONFLICT (integration, source_key) DO UPDATE SET committed_at = excluded.committed_at',
    });
  }

  /** The integration's dedupe id, created when missing; publish `pending` after COMMIT. */
  integration(integrationId: string, pending: Map<string, number>): number {
    return this.#integrations.intern(integrationId, pending);
  }

  publish(pending: Map<string, number>): void {
    this.#integrations.publish(pending);
  }

  /** True when the key was committed before (or written earlier in this transaction). */
  exists(integration: number, key: StoredSourceKey): boolean {
    return this.#db.prepare('SELECT 1 AS found FROM dedupe_keys WHERE integration = ? AND source_key = ?').get(integration, key) !== undefined;
  }

  /** A buffer of `[integration, storedKey, committedAt]` rows; flush it before COMMIT. */
  recordBuffer(): RowBuffer {
    return new RowBuffer(this.#record);
  }

  /** Deletes in chunks, yielding to the event loop between them so ingest keeps flowing. */
  async prune(olderThan: number): Promise<number> {
    const stmt = `DELETE FROM dedupe_keys WHERE (integration, source_key) IN (
      SELECT integration, source_key FROM dedupe_keys WHERE committed_at < ? LIMIT ${PRUNE_CHUNK})`;
    let total = 0;
    for (;;) {
      const removed = Number(this.#db.transaction(() => this.#db.prepare(stmt).run(olderThan).changes));
      total += removed;
      if (removed < PRUNE_CHUNK) return total;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Forgets every key of the integration (it is being deleted); the caller provides the transaction. */
  deleteFor(integrationId: string): void {
    const id = this.#integrations.find(integrationId);
    if (id !== undefined) this.#db.prepare('DELETE FROM dedupe_keys WHERE integration = ?').run(id);
  }
}

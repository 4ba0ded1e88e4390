/**
 * Dedupe keys: one row per committed (integration, sourceKey), written in the commit's
 * transaction. A commit claims its `check` keys with INSERT ... ON CONFLICT DO NOTHING RETURNING:
 * a key committed before, or by a concurrent transaction (which the insert waits for), is not
 * returned, so its item is a duplicate. Keys are written in sorted order, so two transactions
 * claiming overlapping keys wait for each other instead of deadlocking.
 */
import type { DedupeMode } from '../../core/model.ts';
import type { UplinkCommitItem } from '../types.ts';
import type { PostgresDatabase, Sql } from './database.ts';

const PRUNE_CHUNK = 10_000;

function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Which keys a commit must claim (first named by a `check` item) and touch (named by a
 * `record-only` item). Items with dedupe `none` name no key.
 */
export interface DedupePlan {
  claim: string[];
  touch: string[];
}

export function planDedupe(items: readonly UplinkCommitItem[]): DedupePlan {
  const first = new Map<string, DedupeMode>();
  const touch = new Set<string>();
  for (const item of items) {
    const mode = item.dedupe ?? 'check';
    if (mode === 'none') continue;
    if (!first.has(item.sourceKey)) first.set(item.sourceKey, mode);
    if (mode === 'record-only') touch.add(item.sourceKey);
  }
  return { claim: sorted([...first].filter(([, mode]) => mode === 'check').map(([key]) => key)), touch: sorted(touch) };
}

/**
 * Which items are live (not duplicates), in order. `check`: a duplicate when its key was recorded
 * earlier in this commit, or committed before (the first `check` item of a key is live only when
 * this commit claimed the key). `record-only`: never a duplicate. `none`: never a duplicate, and
 * records no key.
 */
export function liveItems(items: readonly UplinkCommitItem[], claimed: ReadonlySet<string>): boolean[] {
  const recorded = new Set<string>();
  return items.map((item) => {
    const key = item.sourceKey;
    const mode = item.dedupe ?? 'check';
    if (mode === 'none') return true;
    const live = mode === 'record-only' || (!recorded.has(key) && claimed.has(key));
    if (live) recorded.add(key);
    return live;
  });
}

export class PostgresDedupeKeys {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  /** Inserts the keys that are new and returns them; the others were committed before. */
  async claim(sql: Sql, integrationId: string, keys: string[], now: number): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await sql.rows<{ source_key: string }>(`INSERT INTO dedupe_keys (integration_id, source_key, committed_at)
      SELECT $1, k, $2 FROM unnest($3::text[]) WITH ORDINALITY AS r (k, ord) ORDER BY ord
      ON CONFLICT (integration_id, source_key) DO NOTHING RETURNING source_key`, [integrationId, now, keys]);
    return new Set(rows.map((r) => r.source_key));
  }

  /** Records the keys, moving committed_at of existing ones to now (record-only items; pruning expects it). */
  async touch(sql: Sql, integrationId: string, keys: string[], now: number): Promise<void> {
    if (keys.length === 0) return;
    await sql.run(`INSERT INTO dedupe_keys (integration_id, source_key, committed_at)
      SELECT $1, k, $2 FROM unnest($3::text[]) WITH ORDINALITY AS r (k, ord) ORDER BY ord
      ON CONFLICT (integration_id, source_key) DO UPDATE SET committed_at = excluded.committed_at`, [integrationId, now, keys]);
  }

  /** Deletes in chunks (short transactions), yielding between them so ingest keeps flowing. */
  async prune(olderThan: number): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await this.#db.sql.run(`DELETE FROM dedupe_keys WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM dedupe_keys WHERE committed_at < $1 LIMIT ${PRUNE_CHUNK}))`, [olderThan]);
      total += removed;
      if (removed < PRUNE_CHUNK) return total;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Forgets every key of the integration (it is being deleted); the caller provides the transaction. */
  async deleteFor(sql: Sql, integrationId: string): Promise<void> {
    await sql.run('DELETE FROM dedupe_keys WHERE integration_id = $1', [integrationId]);
  }
}

/**
 * Dedupe keys (ADR 011): one row per committed (integration, sourceKey), written in the commit's
 * transaction as its 16-byte digest (../dedupe-digest.ts) with the integration's small id from
 * `dedupe_integrations`, into the current of two generation tables (../dedupe-generations.ts);
 * pruning empties the previous one whole. A commit claims its `check` keys (../dedupe-plan.ts)
 * with multi-row inserts of the keys the previous generation lacks, ON CONFLICT DO NOTHING
 * RETURNING: the keys returned are new. Keys are written in digest order (neighbours share pages).
 */
import { keysOf, sortedDigests, type KeyDigest } from '../dedupe-digest.ts';
import { bySlot, generationsOf, prunePlan, type Generations } from '../dedupe-generations.ts';
import type { SqliteDatabase } from './database.ts';
import { SqliteDictionary } from './dictionary.ts';
import { MultiRowInsert, RowBuffer } from './multi-row.ts';

export class SqliteDedupeKeys {
  readonly #db: SqliteDatabase;
  readonly #integrations: SqliteDictionary;
  /** Per current slot: a key already there stays (it is as recent as the generation). */
  readonly #touch: readonly [MultiRowInsert, MultiRowInsert];
  /** Per current slot: inserts the keys the previous generation lacks, returns those inserted. */
  readonly #claim: readonly [MultiRowInsert, MultiRowInsert];

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#integrations = new SqliteDictionary(db, 'dedupe_integrations', 'integration_id');
    this.#touch = bySlot((slot) => new MultiRowInsert(db, {
      head: `INSERT INTO dedupe_keys_${slot} (digest, integration)`, columns: 2, tail: 'ON CONFLICT (digest) DO NOTHING',
    }));
    this.#claim = bySlot((slot) => new MultiRowInsert(db, {
      head: `INSERT INTO dedupe_keys_${slot} (digest, integration) SELECT column1, column2 FROM (`, columns: 2,
      tail: `) AS v WHERE NOT EXISTS (SELECT 1 FROM dedupe_keys_${1 - slot} p WHERE p.digest = v.column1)
        ON CONFLICT (digest) DO NOTHING RETURNING digest`,
    }));
  }

  /** The integration's dedupe id, created when missing; publish `pending` after COMMIT. */
  integration(integrationId: string, pending: Map<string, number>): number {
    return this.#integrations.intern(integrationId, pending);
  }

  publish(pending: Map<string, number>): void {
    this.#integrations.publish(pending);
  }

  /** The generations as the database holds them now (another connection may have pruned). */
  generations(): Generations {
    return generationsOf(this.#db.prepare('SELECT slot, started_at FROM dedupe_generations').all() as Array<{ slot: number; started_at: number }>);
  }

  /** Records the keys that are new (in neither generation) and returns them; the others were committed before. */
  claim(g: Generations, integration: number, integrationId: string, keys: readonly string[]): Set<string> {
    if (keys.length === 0) return new Set();
    const sorted = sortedDigests(integrationId, keys);
    const rows = this.#write(this.#claim[g.current], sorted, integration, true);
    return keysOf(sorted, (rows.returned ?? []).map((r) => r.digest as Uint8Array));
  }

  /** Records the keys (record-only items); one already in the current generation stays. */
  touch(g: Generations, integration: number, integrationId: string, keys: readonly string[]): void {
    if (keys.length > 0) this.#write(this.#touch[g.current], sortedDigests(integrationId, keys), integration, false);
  }

  #write(insert: MultiRowInsert, sorted: readonly KeyDigest[], integration: number, returning: boolean): RowBuffer {
    const rows = new RowBuffer(insert, { returning });
    for (const { digest } of sorted) {
      rows.values.push(digest, integration);
      rows.endRow();
    }
    rows.flush();
    return rows;
  }

  /**
   * Empties the generations whose keys are all older than the cutoff (../dedupe-generations.ts),
   * in one short transaction: SQLite frees a table's pages without visiting its rows one by one.
   */
  async prune(olderThan: number): Promise<number> {
    return this.#db.transaction(() => {
      const plan = prunePlan(this.generations(), olderThan, Date.now());
      let removed = 0;
      for (const slot of plan.empty) removed += Number(this.#db.prepare(`DELETE FROM dedupe_keys_${slot}`).run().changes);
      if (plan.restart !== null) this.#db.prepare('UPDATE dedupe_generations SET started_at = ? WHERE slot = ?').run(plan.restart.startedAt, plan.restart.slot);
      return removed;
    });
  }

  /** Forgets every key of the integration (it is being deleted); the caller provides the transaction. */
  deleteFor(integrationId: string): void {
    const id = this.#integrations.find(integrationId);
    if (id === undefined) return;
    for (const slot of [0, 1]) this.#db.prepare(`DELETE FROM dedupe_keys_${slot} WHERE integration = ?`).run(id);
  }
}

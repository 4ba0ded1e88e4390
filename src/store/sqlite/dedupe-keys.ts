/**
 * Dedupe keys (ADR 011): one row per committed (integration, sourceKey), written in the commit's
 * transaction as its 16-byte digest (../dedupe-digest.ts) with the integration's small id from
 * `dedupe_integrations`, into the current of two generation tables (../dedupe-generations.ts). A
 * key is looked up in both; pruning empties the previous generation whole.
 */
import { bySlot, generationsOf, prunePlan, type Generations } from '../dedupe-generations.ts';
import type { SqliteDatabase } from './database.ts';
import { SqliteDictionary } from './dictionary.ts';
import { MultiRowInsert, RowBuffer } from './multi-row.ts';

/** Looks a digest up in the current generation (`slot`), then the previous one. */
const EXISTS = bySlot((slot) => `SELECT 1 AS found FROM dedupe_keys_${slot} WHERE digest = ?1
  UNION ALL SELECT 1 FROM dedupe_keys_${1 - slot} WHERE digest = ?1 LIMIT 1`);

export class SqliteDedupeKeys {
  readonly #db: SqliteDatabase;
  readonly #integrations: SqliteDictionary;
  /** Per slot: a key already there stays (it is as recent as the generation). */
  readonly #record: readonly [MultiRowInsert, MultiRowInsert];

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#integrations = new SqliteDictionary(db, 'dedupe_integrations', 'integration_id');
    this.#record = bySlot((slot) => new MultiRowInsert(db, {
      head: `INSERT INTO dedupe_keys_${slot} (digest, integration)`, columns: 2, tail: 'ON CONFLICT (digest) DO NOTHING',
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

  /** True when the digest was committed before (or written earlier in this transaction). */
  exists(g: Generations, digest: Uint8Array): boolean {
    return this.#db.prepare(EXISTS[g.current]).get(digest) !== undefined;
  }

  /** A buffer of `[digest, integration]` rows for the current generation; flush it before COMMIT. */
  recordBuffer(g: Generations): RowBuffer {
    return new RowBuffer(this.#record[g.current]);
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

/**
 * Dedupe keys (ADR 011): one row per committed (integration, sourceKey), written in the commit's
 * transaction as its 16-byte digest (../dedupe-digest.ts) into the current of two generation
 * tables (../dedupe-generations.ts); pruning empties the previous one whole.
 *
 * Several instances commit at once (competing consumers), so a commit first locks both rows of
 * `dedupe_generations` FOR KEY SHARE, in a statement of its own: a prune (FOR UPDATE) waits until
 * the commits that read the old generations have committed, and a commit that waited for a prune
 * reads the new ones with a fresh snapshot. So every instance writes the same current generation
 * and the previous one is no longer written. It then claims its `check` keys that the previous
 * generation does not hold in the current one with INSERT ... ON CONFLICT DO NOTHING RETURNING: a
 * key committed before, or by a concurrent transaction (which the insert waits for), is not
 * returned. Keys are written in digest order, so two transactions claiming overlapping keys wait
 * for each other instead of deadlocking.
 */
import { DIGEST_BYTES, sortedDigests } from '../dedupe-digest.ts';
import { bySlot, generationsOf, prunePlan, type Generations } from '../dedupe-generations.ts';
import type { PostgresDatabase, Sql } from './database.ts';

/**
 * The digests of a statement: one bytea parameter ($1) holding them back to back (sent in binary,
 * no array literal to build), split by the server; `i` is each one's position.
 */
const DIGESTS = `(SELECT i, substring($1::bytea FROM i * ${DIGEST_BYTES} + 1 FOR ${DIGEST_BYTES}) AS d
  FROM generate_series(0, length($1::bytea) / ${DIGEST_BYTES} - 1) AS i)`;

/** Inserts the digests of integration $2 into the slot's table, in order. */
const INSERT = bySlot((slot) => `INSERT INTO dedupe_keys_${slot} (digest, integration_id)
  SELECT d, $2 FROM ${DIGESTS} AS r ORDER BY i ON CONFLICT (digest) DO NOTHING`);

/**
 * The claim in the current generation (`slot`): inserts the digests the previous generation does
 * not hold (it is no longer written, so this statement's snapshot sees all of it) and returns the
 * positions of those it inserted (integers are cheaper to send and parse than the digests).
 */
const CLAIM = bySlot((slot) => `WITH r AS MATERIALIZED ${DIGESTS},
  ins AS (INSERT INTO dedupe_keys_${slot} (digest, integration_id)
    SELECT d, $2 FROM r WHERE NOT EXISTS (SELECT 1 FROM dedupe_keys_${1 - slot} p WHERE p.digest = r.d)
    ORDER BY i ON CONFLICT (digest) DO NOTHING RETURNING digest)
  SELECT r.i FROM r JOIN ins ON ins.digest = r.d`);

async function countKeys(sql: Sql, slot: number): Promise<number> {
  return (await sql.one<{ n: number }>(`SELECT count(*)::bigint AS n FROM dedupe_keys_${slot}`))?.n ?? 0;
}

export class PostgresDedupeKeys {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  /** Locks the generations until COMMIT (see the file comment) and returns them. */
  async generations(sql: Sql): Promise<Generations> {
    return generationsOf(await sql.rows<{ slot: number; started_at: number }>('SELECT slot, started_at FROM dedupe_generations ORDER BY slot FOR KEY SHARE'));
  }

  /** Records the keys that are new and returns them; the others were committed before. */
  async claim(sql: Sql, g: Generations, integrationId: string, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const sorted = sortedDigests(integrationId, keys);
    const rows = await sql.rows<{ i: number }>(CLAIM[g.current], [Buffer.concat(sorted.map((k) => k.digest)), integrationId]);
    const claimed = new Set<string>();
    for (const r of rows) {
      const k = sorted[r.i];
      if (k !== undefined) claimed.add(k.key);
    }
    return claimed;
  }

  /** Records the keys (record-only items); one already in the current generation stays. */
  async touch(sql: Sql, g: Generations, integrationId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await sql.run(INSERT[g.current], [Buffer.concat(sortedDigests(integrationId, keys).map((k) => k.digest)), integrationId]);
  }

  /**
   * Empties the generations whose keys are all older than the cutoff (../dedupe-generations.ts)
   * with TRUNCATE, once the commits that use them are done (FOR UPDATE waits for their KEY SHARE
   * locks; commits wait for it in turn). The previous generation is no longer written, so its
   * rows are counted before, and commits need not wait for the count.
   */
  async prune(olderThan: number): Promise<number> {
    const seen = generationsOf(await this.#db.sql.rows<{ slot: number; started_at: number }>('SELECT slot, started_at FROM dedupe_generations'));
    const counted = prunePlan(seen, olderThan, Date.now()).empty.includes(seen.previous) ? await countKeys(this.#db.sql, seen.previous) : null;
    return this.#db.transaction(async (sql) => {
      const g = generationsOf(await sql.rows<{ slot: number; started_at: number }>('SELECT slot, started_at FROM dedupe_generations ORDER BY slot FOR UPDATE'));
      const plan = prunePlan(g, olderThan, Date.now());
      const unchanged = g.previous === seen.previous && g.previousStartedAt === seen.previousStartedAt;
      let removed = 0;
      for (const slot of plan.empty) {
        removed += slot === seen.previous && unchanged && counted !== null ? counted : await countKeys(sql, slot);
        await sql.run(`TRUNCATE dedupe_keys_${slot}`);
      }
      if (plan.restart !== null) await sql.run('UPDATE dedupe_generations SET started_at = $1 WHERE slot = $2', [plan.restart.startedAt, plan.restart.slot]);
      return removed;
    });
  }

  /** Forgets every key of the integration (it is being deleted); the caller provides the transaction. */
  async deleteFor(sql: Sql, integrationId: string): Promise<void> {
    for (const slot of [0, 1]) await sql.run(`DELETE FROM dedupe_keys_${slot} WHERE integration_id = $1`, [integrationId]);
  }
}

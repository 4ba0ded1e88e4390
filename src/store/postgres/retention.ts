/**
 * Retention on PostgreSQL: old rows deleted in bounded batches (one statement each, its own
 * transaction), so commits run in between. Telemetry is pruned per series (device and key)
 * through its primary key range, the other tables through their age indexes (migration 008).
 */
import { ROW_TABLES, SERIES_PER_CALL, decodeSeriesCursor, encodeSeriesCursor } from '../retention-sql.ts';
import type { RetentionKind, RetentionScope } from '../types.ts';
import type { PostgresDatabase } from './database.ts';

/** The scope as SQL on `column`, its parameter at `$n`. */
function scopeSql(column: string, scope: RetentionScope, n: number): { sql: string; param: unknown } {
  if ('integrationId' in scope) return { sql: `${column} = $${n}`, param: scope.integrationId };
  return { sql: `(${column} IS NULL OR NOT (${column} = ANY($${n}::text[])))`, param: [...scope.except] };
}

export class PostgresRetention {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async pruneOlderThan(kind: RetentionKind, scope: RetentionScope, olderThan: number, limit: number, cursor: string | null): Promise<{ deleted: number; cursor: string | null }> {
    if (kind === 'telemetry') return this.#pruneTelemetry(scope, olderThan, limit, cursor);
    const { table, age, extra } = ROW_TABLES[kind];
    const where = scopeSql('integration_id', scope, 1);
    const deleted = await this.#db.sql.run(`DELETE FROM ${table} WHERE seq IN (
      SELECT seq FROM ${table} WHERE ${where.sql} AND ${age} < $2::bigint${extra} ORDER BY ${age} LIMIT $3)`, [where.param, olderThan, limit]);
    return { deleted, cursor: deleted >= limit ? '' : null };
  }

  /** Visits the scope's series after the cursor; each DELETE removes at most what is left of `limit`. */
  async #pruneTelemetry(scope: RetentionScope, olderThan: number, limit: number, cursor: string | null): Promise<{ deleted: number; cursor: string | null }> {
    const after = decodeSeriesCursor(cursor) ?? [-1, ''];
    const sql = this.#db.sql;
    const where = scopeSql('e.created_by_integration_id', scope, 1);
    const series = await sql.rows<{ entity: number; key: string }>(`SELECT l.entity_seq AS entity, l.key FROM telemetry_latest l JOIN entities e ON e.seq = l.entity_seq
      WHERE ${where.sql} AND (l.entity_seq, l.key) > ($2::bigint, $3::text) ORDER BY l.entity_seq, l.key LIMIT $4`,
    [where.param, after[0], String(after[1]), SERIES_PER_CALL]);
    let deleted = 0;
    let last: [number, string] | null = null;
    for (const s of series) {
      const room = limit - deleted;
      const n = await sql.run(`DELETE FROM telemetry WHERE entity_seq = $1 AND key = $2 AND ts < $3::bigint AND ts <= coalesce(
        (SELECT ts FROM telemetry WHERE entity_seq = $1 AND key = $2 AND ts < $3::bigint ORDER BY ts LIMIT 1 OFFSET $4), ts)`,
      [s.entity, s.key, olderThan, room - 1]);
      deleted += n;
      // The series may hold more: the next call starts at it again.
      if (n >= room) return { deleted, cursor: encodeSeriesCursor(last ?? [after[0], after[1]]) };
      last = [s.entity, s.key];
    }
    return { deleted, cursor: series.length < SERIES_PER_CALL || last === null ? null : encodeSeriesCursor(last) };
  }

  async oldestRow(kind: RetentionKind): Promise<number | null> {
    if (kind === 'telemetry') {
      // One primary-key seek per series, not a scan of every point.
      const row = await this.#db.sql.one<{ oldest: number | null }>(`SELECT min((SELECT t.ts FROM telemetry t WHERE t.entity_seq = l.entity_seq AND t.key = l.key ORDER BY t.ts LIMIT 1)) AS oldest
        FROM telemetry_latest l`);
      return row?.oldest ?? null;
    }
    const { table, age, extra } = ROW_TABLES[kind];
    const row = await this.#db.sql.one<{ oldest: number | null }>(`SELECT min(${age}) AS oldest FROM ${table} WHERE true${extra}`);
    return row?.oldest ?? null;
  }

  /** Tables, indexes and TOAST of the store's schema (several stores may share one database). */
  async storeSizeBytes(): Promise<number> {
    const row = await this.#db.sql.one<{ bytes: number }>(`SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')`);
    return row?.bytes ?? 0;
  }
}

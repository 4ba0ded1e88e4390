/**
 * Retention on SQLite: old rows deleted in bounded batches (one short transaction each), so
 * commits run in between. Telemetry is pruned per series (device and key) through its primary
 * key range, the other tables through their age indexes (migration 009).
 */
import { statSync } from 'node:fs';
import { ROW_TABLES, SERIES_PER_CALL, decodeSeriesCursor, encodeSeriesCursor } from '../retention-sql.ts';
import type { RetentionKind, RetentionScope } from '../types.ts';
import type { SqliteDatabase } from './database.ts';

function scopeSql(column: string, scope: RetentionScope): { sql: string; param: string } {
  if ('integrationId' in scope) return { sql: `${column} = ?`, param: scope.integrationId };
  return { sql: `(${column} IS NULL OR ${column} NOT IN (SELECT value FROM json_each(?)))`, param: JSON.stringify(scope.except) };
}

export class SqliteRetention {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  pruneOlderThan(kind: RetentionKind, scope: RetentionScope, olderThan: number, limit: number, cursor: string | null): { deleted: number; cursor: string | null } {
    if (kind === 'telemetry') return this.#pruneTelemetry(scope, olderThan, limit, cursor);
    const { table, age, extra } = ROW_TABLES[kind];
    const where = scopeSql('integration_id', scope);
    const deleted = Number(this.#db.transaction(() => this.#db.prepare(`DELETE FROM ${table} WHERE seq IN (
      SELECT seq FROM ${table} WHERE ${where.sql} AND ${age} < ?${extra} ORDER BY ${age} LIMIT ?)`).run(where.param, olderThan, limit).changes));
    return { deleted, cursor: deleted >= limit ? '' : null };
  }

  /** Visits the scope's series after the cursor; each DELETE removes at most what is left of `limit`. */
  #pruneTelemetry(scope: RetentionScope, olderThan: number, limit: number, cursor: string | null): { deleted: number; cursor: string | null } {
    const after = decodeSeriesCursor(cursor) ?? [-1, -1];
    const where = scopeSql('e.created_by_integration_id', scope);
    const series = this.#db.prepare(`SELECT l.entity_seq AS entity, l.key_id AS key FROM telemetry_latest l JOIN entities e ON e.seq = l.entity_seq
      WHERE ${where.sql} AND (l.entity_seq, l.key_id) > (?, ?) ORDER BY l.entity_seq, l.key_id LIMIT ?`)
      .all(where.param, after[0], after[1], SERIES_PER_CALL) as Array<{ entity: number; key: number }>;
    let deleted = 0;
    let last: [number, number] | null = null;
    const del = this.#db.prepare(`DELETE FROM telemetry WHERE entity_seq = ? AND key_id = ? AND ts < ? AND ts <= coalesce(
      (SELECT ts FROM telemetry WHERE entity_seq = ? AND key_id = ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?), ts)`);
    for (const s of series) {
      const room = limit - deleted;
      const n = Number(this.#db.transaction(() => del.run(s.entity, s.key, olderThan, s.entity, s.key, olderThan, room - 1).changes));
      deleted += n;
      // The series may hold more: the next call starts at it again.
      if (n >= room) return { deleted, cursor: encodeSeriesCursor(last ?? [after[0], after[1]]) };
      last = [s.entity, s.key];
    }
    return { deleted, cursor: series.length < SERIES_PER_CALL || last === null ? null : encodeSeriesCursor(last) };
  }

  oldestRow(kind: RetentionKind): number | null {
    if (kind === 'telemetry') {
      // One primary-key seek per series, not a scan of every point.
      const row = this.#db.prepare(`SELECT min((SELECT t.ts FROM telemetry t WHERE t.entity_seq = l.entity_seq AND t.key_id = l.key_id ORDER BY t.ts LIMIT 1)) AS oldest
        FROM telemetry_latest l`).get() as { oldest: number | null };
      return row.oldest;
    }
    const { table, age, extra } = ROW_TABLES[kind];
    const row = this.#db.prepare(`SELECT min(${age}) AS oldest FROM ${table} WHERE 1 = 1${extra}`).get() as { oldest: number | null };
    return row.oldest;
  }

  storeSizeBytes(): number {
    const path = this.#db.path;
    if (path === ':memory:') {
      const row = this.#db.prepare('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()').get() as { bytes: number };
      return row.bytes;
    }
    return statSync(path).size + this.#db.walFile().bytes;
  }
}

/** Integration and converter events: newest first, paged by id, pruned by age and count. */
import { randomUUID } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import { encodeJson } from '../kv-columns.ts';
import { DEFAULT_LIMIT, toEvent, typesOf, type EventRow } from '../rows.ts';
import type { EventInput, EventQuery, StoredEvent } from '../types.ts';
import type { PostgresDatabase, Sql } from './database.ts';

export class PostgresEvents {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  /** Inserts the events in one statement, in order; the caller provides the transaction. */
  async insert(sql: Sql, events: readonly EventInput[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => [randomUUID(), e.integrationId ?? null, e.converterId ?? null, e.type, e.ts, encodeJson(e.body)] as const);
    const col = (i: number): unknown[] => rows.map((r) => r[i]);
    await sql.run(`INSERT INTO events (id, integration_id, converter_id, type, ts, body_json)
      SELECT id, integration_id, converter_id, type, ts, body_json
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
        WITH ORDINALITY AS r (id, integration_id, converter_id, type, ts, body_json, ord) ORDER BY ord`,
    [col(0), col(1), col(2), col(3), col(4), col(5)]);
  }

  async addEvents(events: EventInput[]): Promise<void> {
    if (events.length === 0) return;
    await this.insert(this.#db.sql, events);
  }

  /** Newest first (ts, then insertion order). `before` must name an existing event (NOT_FOUND otherwise). */
  async listEvents(q: EventQuery): Promise<StoredEvent[]> {
    const sql = this.#db.sql;
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    if (q.integrationId !== undefined) where.push(`integration_id = ${param(q.integrationId)}`);
    if (q.converterId !== undefined) where.push(`converter_id = ${param(q.converterId)}`);
    const types = typesOf(q);
    if (types.length > 0) where.push(`type = ANY(${param(types)}::text[])`);
    if (q.from !== undefined) where.push(`ts >= ${param(q.from)}::bigint`);
    if (q.to !== undefined) where.push(`ts < ${param(q.to)}::bigint`);
    if (q.before !== undefined) {
      const anchor = await sql.one<{ ts: number; seq: number }>('SELECT ts, seq FROM events WHERE id = $1', [q.before]);
      if (anchor === undefined) throw new CloudbridgeError('NOT_FOUND', `event ${q.before} not found (it may have been pruned)`);
      where.push(`(ts, seq) < (${param(anchor.ts)}::bigint, ${param(anchor.seq)}::bigint)`);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = await sql.rows<EventRow>(`SELECT id, integration_id, converter_id, type, ts, body_json FROM events ${clause}
      ORDER BY ts DESC, seq DESC LIMIT ${param(q.limit ?? DEFAULT_LIMIT)}`, params);
    return rows.map(toEvent);
  }

  /**
   * Deletes events older than `olderThan`, then all but the `maxPerIntegration` newest of each
   * integration (events without an integration form one group). Returns how many were deleted.
   */
  async pruneEvents(opts: { olderThan: number; maxPerIntegration: number }): Promise<number> {
    return this.#db.transaction(async (sql) => {
      const byAge = await sql.run('DELETE FROM events WHERE ts < $1', [opts.olderThan]);
      const byCount = await sql.run(`DELETE FROM events WHERE seq IN (
        SELECT seq FROM (
          SELECT seq, row_number() OVER (PARTITION BY integration_id ORDER BY ts DESC, seq DESC) AS rank FROM events
        ) ranked WHERE rank > $1)`, [Math.max(0, Math.floor(opts.maxPerIntegration))]);
      return byAge + byCount;
    });
  }

  async deleteForIntegration(sql: Sql, integrationId: string): Promise<void> {
    await sql.run('DELETE FROM events WHERE integration_id = $1', [integrationId]);
  }
}

/** Integration and converter events: newest first, paged by id, pruned by age and count. */
import { randomUUID } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import { encodeJson } from '../kv-columns.ts';
import { DEFAULT_LIMIT, toEvent, typesOf, type EventRow } from '../rows.ts';
import type { EventInput, EventQuery, StoredEvent } from '../types.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteEvents {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Inserts one event; the caller provides the transaction. */
  insert(e: EventInput): string {
    const id = randomUUID();
    this.#db.prepare('INSERT INTO events (id, integration_id, converter_id, type, ts, body_json) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, e.integrationId ?? null, e.converterId ?? null, e.type, e.ts, encodeJson(e.body));
    return id;
  }

  addEvents(events: EventInput[]): void {
    if (events.length === 0) return;
    this.#db.transaction(() => {
      for (const e of events) this.insert(e);
    });
  }

  /** Newest first (ts, then insertion order). `before` must name an existing event (NOT_FOUND otherwise). */
  listEvents(q: EventQuery): StoredEvent[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (q.integrationId !== undefined) { where.push('integration_id = ?'); params.push(q.integrationId); }
    if (q.converterId !== undefined) { where.push('converter_id = ?'); params.push(q.converterId); }
    const types = typesOf(q);
    if (types.length > 0) { where.push(`type IN (${types.map(() => '?').join(', ')})`); params.push(...types); }
    if (q.from !== undefined) { where.push('ts >= ?'); params.push(q.from); }
    if (q.to !== undefined) { where.push('ts < ?'); params.push(q.to); }
    if (q.before !== undefined) {
      const anchor = this.#db.prepare('SELECT ts, seq FROM events WHERE id = ?').get(q.before) as { ts: number; seq: number } | undefined;
      if (anchor === undefined) throw new CloudbridgeError('NOT_FOUND', `event ${q.before} not found (it may have been pruned)`);
      where.push('(ts < ? OR (ts = ? AND seq < ?))');
      params.push(anchor.ts, anchor.ts, anchor.seq);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.#db.prepare(`SELECT id, integration_id, converter_id, type, ts, body_json FROM events ${clause}
      ORDER BY ts DESC, seq DESC LIMIT ?`).all(...params, q.limit ?? DEFAULT_LIMIT) as unknown as EventRow[];
    return rows.map(toEvent);
  }

  /**
   * Deletes events older than `olderThan`, then all but the `maxPerIntegration` newest of each
   * integration (events without an integration form one group). Returns how many were deleted.
   */
  pruneEvents(opts: { olderThan: number; maxPerIntegration: number }): number {
    return this.#db.transaction(() => {
      const byAge = this.#db.prepare('DELETE FROM events WHERE ts < ?').run(opts.olderThan).changes;
      const byCount = this.#db.prepare(`DELETE FROM events WHERE seq IN (
        SELECT seq FROM (
          SELECT seq, row_number() OVER (PARTITION BY integration_id ORDER BY ts DESC, seq DESC) AS rank FROM events
        ) WHERE rank > ?)`).run(Math.max(0, opts.maxPerIntegration)).changes;
      return Number(byAge) + Number(byCount);
    });
  }

  deleteForIntegration(integrationId: string): void {
    this.#db.prepare('DELETE FROM events WHERE integration_id = ?').run(integrationId);
  }
}

/** Dead letters: raw messages that could not be stored as data, kept for inspection and replay. */
import { randomUUID } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import { checkDeadLetterState } from '../input-checks.ts';
import { encodeJson } from '../kv-columns.ts';
import { DEAD_LETTER_COLUMNS as COLUMNS, toDeadLetter, type DeadLetterRow, type NewDeadLetter } from '../rows.ts';
import type { DeadLetter, DeadLetterQuery, DeadLetterState } from '../types.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteDeadLetters {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Inserts one dead letter; the caller provides the transaction. */
  insert(d: NewDeadLetter, createdAt: number): string {
    const id = randomUUID();
    this.#db.prepare(`INSERT INTO dead_letters (id, integration_id, source_key, stage, error_code, error, payload, metadata_json, received_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      id, d.integrationId, d.sourceKey, d.stage, d.errorCode, d.error, d.payload, encodeJson(d.metadata), d.receivedAt, createdAt);
    return id;
  }

  /** Newest first. */
  listDeadLetters(q: DeadLetterQuery): { items: DeadLetter[]; total: number } {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (q.integrationId !== undefined) { where.push('integration_id = ?'); params.push(q.integrationId); }
    if (q.state !== undefined) { where.push('state = ?'); params.push(q.state); }
    if (q.stage !== undefined) { where.push('stage = ?'); params.push(q.stage); }
    if (q.errorCode !== undefined) { where.push('error_code = ?'); params.push(q.errorCode); }
    if (q.from !== undefined) { where.push('created_at >= ?'); params.push(q.from); }
    if (q.to !== undefined) { where.push('created_at < ?'); params.push(q.to); }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.#db.prepare(`SELECT count(*) AS n FROM dead_letters ${clause}`).get(...params) as { n: number }).n;
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM dead_letters ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(...params, q.limit ?? -1, q.offset ?? 0) as unknown as DeadLetterRow[];
    return { items: rows.map(toDeadLetter), total };
  }

  getDeadLetter(id: string): DeadLetter | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM dead_letters WHERE id = ?`).get(id) as DeadLetterRow | undefined;
    return row === undefined ? null : toDeadLetter(row);
  }

  /** Marking `replayed` also counts one replay. Throws NOT_FOUND for an unknown id. */
  setDeadLetterState(id: string, state: DeadLetterState): void {
    checkDeadLetterState(state);
    const { changes } = this.#db.prepare(`UPDATE dead_letters SET state = ?,
      replay_count = replay_count + (CASE WHEN ? = 'replayed' THEN 1 ELSE 0 END) WHERE id = ?`).run(state, state, id);
    if (Number(changes) === 0) throw new CloudbridgeError('NOT_FOUND', `dead letter ${id} not found`);
  }

  deleteForIntegration(integrationId: string): void {
    this.#db.prepare('DELETE FROM dead_letters WHERE integration_id = ?').run(integrationId);
  }
}

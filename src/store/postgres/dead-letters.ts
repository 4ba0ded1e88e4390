/** Dead letters: raw messages that could not be stored as data, kept for inspection and replay. */
import { randomUUID } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import { checkDeadLetterState } from '../input-checks.ts';
import { encodeJson } from '../kv-columns.ts';
import { DEAD_LETTER_COLUMNS as COLUMNS, toDeadLetter, type DeadLetterRow, type NewDeadLetter } from '../rows.ts';
import type { DeadLetter, DeadLetterQuery, DeadLetterState } from '../types.ts';
import type { PostgresDatabase, Sql } from './database.ts';

const INSERT_COLUMNS = 'id, integration_id, source_key, stage, error_code, error, payload, metadata_json, received_at, created_at';

/** Dead letters of one commit, written together with `PostgresDeadLetters.insert`. */
export class DeadLetterRows {
  readonly #rows: Array<[string, string, string, string, string, string, Buffer, string, number]> = [];

  get length(): number {
    return this.#rows.length;
  }

  /** Queues a dead letter and returns its id. */
  add(d: NewDeadLetter): string {
    const id = randomUUID();
    const payload = Buffer.from(d.payload.buffer, d.payload.byteOffset, d.payload.byteLength);
    this.#rows.push([id, d.integrationId, d.sourceKey, d.stage, d.errorCode, d.error, payload, encodeJson(d.metadata), d.receivedAt]);
    return id;
  }

  columns(): unknown[][] {
    return Array.from({ length: 9 }, (_, i) => this.#rows.map((r) => r[i]));
  }
}

export class PostgresDeadLetters {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  /** Inserts the queued dead letters in one statement, in order; the caller provides the transaction. */
  async insert(sql: Sql, rows: DeadLetterRows, createdAt: number): Promise<void> {
    if (rows.length === 0) return;
    await sql.run(`INSERT INTO dead_letters (${INSERT_COLUMNS})
      SELECT id, integration_id, source_key, stage, error_code, error, payload, metadata_json, received_at, $10
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::text[], $9::bigint[])
        WITH ORDINALITY AS r (id, integration_id, source_key, stage, error_code, error, payload, metadata_json, received_at, ord) ORDER BY ord`,
    [...rows.columns(), createdAt]);
  }

  /** Newest first. */
  async listDeadLetters(q: DeadLetterQuery): Promise<{ items: DeadLetter[]; total: number }> {
    const sql = this.#db.sql;
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    if (q.integrationId !== undefined) where.push(`integration_id = ${param(q.integrationId)}`);
    if (q.state !== undefined) where.push(`state = ${param(q.state)}`);
    if (q.stage !== undefined) where.push(`stage = ${param(q.stage)}`);
    if (q.errorCode !== undefined) where.push(`error_code = ${param(q.errorCode)}`);
    if (q.from !== undefined) where.push(`created_at >= ${param(q.from)}::bigint`);
    if (q.to !== undefined) where.push(`created_at < ${param(q.to)}::bigint`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await sql.one<{ n: number }>(`SELECT count(*)::bigint AS n FROM dead_letters ${clause}`, params))?.n ?? 0;
    const rows = await sql.rows<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters ${clause} ORDER BY seq DESC
      LIMIT ${param(q.limit ?? null)} OFFSET ${param(q.offset ?? 0)}`, params);
    return { items: rows.map(toDeadLetter), total };
  }

  async getDeadLetter(id: string): Promise<DeadLetter | null> {
    const row = await this.#db.sql.one<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
    return row === undefined ? null : toDeadLetter(row);
  }

  /** Marking `replayed` also counts one replay. Throws NOT_FOUND for an unknown id. */
  async setDeadLetterState(id: string, state: DeadLetterState): Promise<void> {
    checkDeadLetterState(state);
    const changed = await this.#db.sql.run(`UPDATE dead_letters SET state = $1::text,
      replay_count = replay_count + (CASE WHEN $1::text = 'replayed' THEN 1 ELSE 0 END) WHERE id = $2`, [state, id]);
    if (changed === 0) throw new CloudbridgeError('NOT_FOUND', `dead letter ${id} not found`);
  }

  async deleteForIntegration(sql: Sql, integrationId: string): Promise<void> {
    await sql.run('DELETE FROM dead_letters WHERE integration_id = $1', [integrationId]);
  }
}

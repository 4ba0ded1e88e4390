/** The durable downlink queue: queued → sent | failed, with attempts and the last error, and a sent downlink's final outcome. */
import { randomUUID } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import type { DownlinkOutcome, DownlinkStatus } from '../../core/model.ts';
import { checkDownlinkOutcome, checkDownlinkStatus, downlinkAttempt } from '../input-checks.ts';
import { DEFAULT_LIMIT, DOWNLINK_COLUMNS as COLUMNS, DOWNLINK_INSERT_COLUMNS, downlinkValues, newDownlinkRow, toDownlink, type DownlinkRow, type NewDownlink } from '../rows.ts';
import type { Downlink } from '../types.ts';
import type { PostgresDatabase, Sql } from './database.ts';

export class PostgresDownlinks {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async enqueueDownlink(d: NewDownlink): Promise<Downlink> {
    const row = newDownlinkRow(randomUUID(), d, Date.now());
    await this.#db.sql.run(`INSERT INTO downlinks (${DOWNLINK_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, downlinkValues(row));
    return toDownlink(row);
  }

  async getDownlink(id: string): Promise<Downlink | null> {
    const row = await this.#db.sql.one<DownlinkRow>(`SELECT ${COLUMNS} FROM downlinks WHERE id = $1`, [id]);
    return row === undefined ? null : toDownlink(row);
  }

  /** Oldest first. */
  async listQueuedDownlinks(integrationId: string, limit: number): Promise<Downlink[]> {
    const rows = await this.#db.sql.rows<DownlinkRow>(`SELECT ${COLUMNS} FROM downlinks WHERE integration_id = $1 AND status = 'queued'
      ORDER BY seq LIMIT $2`, [integrationId, limit]);
    return rows.map(toDownlink);
  }

  /** Newest first. */
  async listDownlinks(q: { integrationId?: string; deviceName?: string; limit?: number }): Promise<Downlink[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    if (q.integrationId !== undefined) where.push(`integration_id = ${param(q.integrationId)}`);
    if (q.deviceName !== undefined) where.push(`device_name = ${param(q.deviceName)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = await this.#db.sql.rows<DownlinkRow>(`SELECT ${COLUMNS} FROM downlinks ${clause} ORDER BY seq DESC
      LIMIT ${param(q.limit ?? DEFAULT_LIMIT)}`, params);
    return rows.map(toDownlink);
  }

  /**
   * Records the outcome of a send attempt. `sent` and `failed` count one attempt; `queued` puts
   * it back in the queue and counts an attempt only when an error is given (a failed try to be
   * retried). `error` is the last attempt's error (cleared when omitted). NOT_FOUND for an unknown id.
   */
  async markDownlink(id: string, status: DownlinkStatus, error?: string | null): Promise<void> {
    checkDownlinkStatus(status);
    const attempt = downlinkAttempt(status, error);
    const changed = await this.#db.sql.run('UPDATE downlinks SET status = $1, error = $2, attempts = attempts + $3, updated_at = $4 WHERE id = $5',
      [status, error ?? null, attempt, Date.now(), id]);
    if (changed === 0) throw new CloudbridgeError('NOT_FOUND', `downlink ${id} not found`);
  }

  async recordDownlinkOutcome(id: string, outcome: DownlinkOutcome, detail: string | null, at: number): Promise<boolean> {
    checkDownlinkOutcome(outcome);
    const changed = await this.#db.sql.run('UPDATE downlinks SET outcome = $1, outcome_detail = $2, outcome_at = $3, updated_at = $4 WHERE id = $5 AND outcome IS NULL',
      [outcome, detail, at, Date.now(), id]);
    if (changed > 0) return true;
    if (await this.getDownlink(id) === null) throw new CloudbridgeError('NOT_FOUND', `downlink ${id} not found`);
    return false;
  }

  async deleteForIntegration(sql: Sql, integrationId: string): Promise<void> {
    await sql.run('DELETE FROM downlinks WHERE integration_id = $1', [integrationId]);
  }
}

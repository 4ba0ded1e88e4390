/** The durable downlink queue: queued → sent | failed, with attempts and the last error, and a sent downlink's final outcome. */
import { randomUUID } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import type { DownlinkOutcome, DownlinkStatus } from '../../core/model.ts';
import { checkDownlinkOutcome, checkDownlinkStatus, downlinkAttempt } from '../input-checks.ts';
import { DEFAULT_LIMIT, DOWNLINK_COLUMNS as COLUMNS, DOWNLINK_INSERT_COLUMNS, downlinkValues, newDownlinkRow, toDownlink, type DownlinkRow, type NewDownlink } from '../rows.ts';
import type { Downlink } from '../types.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteDownlinks {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  enqueueDownlink(d: NewDownlink): Downlink {
    const row = newDownlinkRow(randomUUID(), d, Date.now());
    this.#db.prepare(`INSERT INTO downlinks (${DOWNLINK_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...downlinkValues(row));
    return toDownlink(row);
  }

  getDownlink(id: string): Downlink | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM downlinks WHERE id = ?`).get(id) as DownlinkRow | undefined;
    return row === undefined ? null : toDownlink(row);
  }

  /** Oldest first. */
  listQueuedDownlinks(integrationId: string, limit: number): Downlink[] {
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM downlinks WHERE integration_id = ? AND status = 'queued' ORDER BY seq LIMIT ?`)
      .all(integrationId, limit) as unknown as DownlinkRow[];
    return rows.map(toDownlink);
  }

  /** Newest first. */
  listDownlinks(q: { integrationId?: string; deviceName?: string; limit?: number }): Downlink[] {
    const where: string[] = [];
    const params: string[] = [];
    if (q.integrationId !== undefined) { where.push('integration_id = ?'); params.push(q.integrationId); }
    if (q.deviceName !== undefined) { where.push('device_name = ?'); params.push(q.deviceName); }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM downlinks ${clause} ORDER BY seq DESC LIMIT ?`)
      .all(...params, q.limit ?? DEFAULT_LIMIT) as unknown as DownlinkRow[];
    return rows.map(toDownlink);
  }

  /**
   * Records the outcome of a send attempt. `sent` and `failed` count one attempt; `queued` puts
   * it back in the queue and counts an attempt only when an error is given (a failed try to be
   * retried). `error` is the last attempt's error (cleared when omitted). NOT_FOUND for an unknown id.
   */
  markDownlink(id: string, status: DownlinkStatus, error?: string | null): void {
    checkDownlinkStatus(status);
    const attempt = downlinkAttempt(status, error);
    const { changes } = this.#db.prepare('UPDATE downlinks SET status = ?, error = ?, attempts = attempts + ?, updated_at = ? WHERE id = ?')
      .run(status, error ?? null, attempt, Date.now(), id);
    if (Number(changes) === 0) throw new CloudbridgeError('NOT_FOUND', `downlink ${id} not found`);
  }

  recordDownlinkOutcome(id: string, outcome: DownlinkOutcome, detail: string | null, at: number): boolean {
    checkDownlinkOutcome(outcome);
    const { changes } = this.#db.prepare('UPDATE downlinks SET outcome = ?, outcome_detail = ?, outcome_at = ?, updated_at = ? WHERE id = ? AND outcome IS NULL')
      .run(outcome, detail, at, Date.now(), id);
    if (Number(changes) > 0) return true;
    if (this.getDownlink(id) === null) throw new CloudbridgeError('NOT_FOUND', `downlink ${id} not found`);
    return false;
  }

  deleteForIntegration(integrationId: string): void {
    this.#db.prepare('DELETE FROM downlinks WHERE integration_id = ?').run(integrationId);
  }
}

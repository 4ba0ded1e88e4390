/** The durable downlink queue: queued → sent | failed, with attempts and the last error. */
import { randomUUID } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import type { DownlinkStatus } from '../../core/model.ts';
import { decodeJson, encodeJson } from '../kv-columns.ts';
import type { Downlink } from '../types.ts';
import type { PostgresDatabase, Sql } from './database.ts';

export type NewDownlink = Omit<Downlink, 'id' | 'status' | 'error' | 'attempts' | 'createdAt' | 'updatedAt'>;

interface DownlinkRow {
  id: string;
  integration_id: string;
  device_name: string;
  msg_type: string;
  msg_json: string;
  metadata_json: string;
  status: DownlinkStatus;
  error: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'id, integration_id, device_name, msg_type, msg_json, metadata_json, status, error, attempts, created_at, updated_at';
const STATUSES: readonly DownlinkStatus[] = ['queued', 'sent', 'failed'];
const DEFAULT_LIMIT = 100;

function toDownlink(r: DownlinkRow): Downlink {
  return {
    id: r.id, integrationId: r.integration_id, deviceName: r.device_name, msgType: r.msg_type,
    msg: decodeJson(r.msg_json), metadata: decodeJson<Record<string, string>>(r.metadata_json),
    status: r.status, error: r.error, attempts: r.attempts, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export class PostgresDownlinks {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async enqueueDownlink(d: NewDownlink): Promise<Downlink> {
    const now = Date.now();
    const row: DownlinkRow = {
      id: randomUUID(), integration_id: d.integrationId, device_name: d.deviceName, msg_type: d.msgType,
      msg_json: encodeJson(d.msg), metadata_json: encodeJson(d.metadata), status: 'queued', error: null, attempts: 0,
      created_at: now, updated_at: now,
    };
    await this.#db.sql.run(`INSERT INTO downlinks (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
      row.id, row.integration_id, row.device_name, row.msg_type, row.msg_json, row.metadata_json, row.status,
      row.error, row.attempts, row.created_at, row.updated_at]);
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
    if (!STATUSES.includes(status)) throw new CloudbridgeError('CONFIG_INVALID', `downlink status must be queued, sent or failed, not ${String(status)}`, { field: 'status' });
    const attempt = status !== 'queued' || (error !== undefined && error !== null) ? 1 : 0;
    const changed = await this.#db.sql.run('UPDATE downlinks SET status = $1, error = $2, attempts = attempts + $3, updated_at = $4 WHERE id = $5',
      [status, error ?? null, attempt, Date.now(), id]);
    if (changed === 0) throw new CloudbridgeError('NOT_FOUND', `downlink ${id} not found`);
  }

  async deleteForIntegration(sql: Sql, integrationId: string): Promise<void> {
    await sql.run('DELETE FROM downlinks WHERE integration_id = $1', [integrationId]);
  }
}

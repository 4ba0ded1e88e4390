/**
 * Time series: points keyed by (entity, key, ts) and the latest value per (entity, key). Rows
 * carry the entity's internal key (`entities.seq`); queries take the public entity id. Ingest
 * writes each table with one `unnest` statement per commit.
 */
import { KV_COLUMNS, KV_UPDATE, kvFromRow, type KvRow } from '../kv-columns.ts';
import type { TelemetryQuery, TsValue } from '../types.ts';
import type { Sql } from './database.ts';
import type { PostgresEntities } from './entities.ts';
import { KvArrays, kvUnnest } from './kv-arrays.ts';

interface PointRow extends KvRow {
  ts: number;
}

interface LatestRow extends PointRow {
  key: string;
}

/** Rows of telemetry or latest values, one array per column; (entity, key[, ts]) must be unique. */
export class PointRows {
  readonly entitySeq: number[] = [];
  readonly key: string[] = [];
  readonly ts: number[] = [];
  readonly kv = new KvArrays();

  get length(): number {
    return this.ts.length;
  }

  params(): unknown[] {
    return [this.entitySeq, this.key, this.ts, ...this.kv.params()];
  }
}

const ROWS = `unnest($1::bigint[], $2::text[], $3::bigint[], ${kvUnnest(4)})`;

export class PostgresTelemetry {
  readonly #sql: () => Sql;
  readonly #entities: PostgresEntities;

  constructor(sql: () => Sql, entities: PostgresEntities) {
    this.#sql = sql;
    this.#entities = entities;
  }

  /** A point replaces the value already stored at the same (entity, key, ts). */
  async writePoints(sql: Sql, rows: PointRows): Promise<void> {
    if (rows.length === 0) return;
    await sql.run(`INSERT INTO telemetry (entity_seq, key, ts, ${KV_COLUMNS}) SELECT * FROM ${ROWS}
      ON CONFLICT (entity_seq, key, ts) DO UPDATE SET ${KV_UPDATE}`, rows.params());
  }

  /** The latest value of (entity, key) moves to the row unless a newer one is stored (an equal ts replaces it). */
  async writeLatest(sql: Sql, rows: PointRows): Promise<void> {
    if (rows.length === 0) return;
    await sql.run(`INSERT INTO telemetry_latest (entity_seq, key, ts, ${KV_COLUMNS}) SELECT * FROM ${ROWS}
      ON CONFLICT (entity_seq, key) DO UPDATE SET ts = excluded.ts, ${KV_UPDATE} WHERE excluded.ts >= telemetry_latest.ts`, rows.params());
  }

  /** Points per key, newest first; keys without points in the range are left out. */
  async queryTelemetry(q: TelemetryQuery): Promise<Record<string, TsValue[]>> {
    const out: Record<string, TsValue[]> = {};
    const sql = this.#sql();
    const seq = await this.#entities.seqOf(q.entityId, sql);
    if (seq === undefined) return out;
    const keys = q.keys ?? await this.#keys(sql, seq);
    for (const key of new Set(keys)) {
      const rows = await sql.rows<PointRow>(`SELECT ts, ${KV_COLUMNS} FROM telemetry
        WHERE entity_seq = $1 AND key = $2 AND ts >= $3 AND ts <= $4 ORDER BY ts DESC LIMIT $5`,
      [seq, key, q.from ?? Number.MIN_SAFE_INTEGER, q.to ?? Number.MAX_SAFE_INTEGER, q.limit ?? null]);
      if (rows.length > 0) out[key] = rows.map((r) => ({ ts: r.ts, value: kvFromRow(r) }));
    }
    return out;
  }

  async latestTelemetry(entityId: string, keys?: string[]): Promise<Record<string, TsValue>> {
    const out: Record<string, TsValue> = {};
    const sql = this.#sql();
    const seq = await this.#entities.seqOf(entityId, sql);
    if (seq === undefined) return out;
    const rows = await sql.rows<LatestRow>(`SELECT key, ts, ${KV_COLUMNS} FROM telemetry_latest WHERE entity_seq = $1 ORDER BY key`, [seq]);
    const wanted = keys === undefined ? null : new Set(keys);
    for (const r of rows) {
      if (wanted === null || wanted.has(r.key)) out[r.key] = { ts: r.ts, value: kvFromRow(r) };
    }
    return out;
  }

  /** The keys the entity has telemetry for, sorted. */
  async telemetryKeys(entityId: string): Promise<string[]> {
    const sql = this.#sql();
    const seq = await this.#entities.seqOf(entityId, sql);
    return seq === undefined ? [] : this.#keys(sql, seq);
  }

  /** Number of stored points, of one entity or of all. */
  async countTelemetry(entityId?: string): Promise<number> {
    const sql = this.#sql();
    if (entityId === undefined) return (await sql.one<{ n: number }>('SELECT count(*)::bigint AS n FROM telemetry'))?.n ?? 0;
    const seq = await this.#entities.seqOf(entityId, sql);
    if (seq === undefined) return 0;
    return (await sql.one<{ n: number }>('SELECT count(*)::bigint AS n FROM telemetry WHERE entity_seq = $1', [seq]))?.n ?? 0;
  }

  async #keys(sql: Sql, seq: number): Promise<string[]> {
    const rows = await sql.rows<{ key: string }>('SELECT key FROM telemetry_latest WHERE entity_seq = $1 ORDER BY key', [seq]);
    return rows.map((r) => r.key);
  }
}

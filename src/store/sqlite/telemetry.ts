/**
 * Time series: points keyed by (entity, key, ts) and the latest value per (entity, key). Rows
 * carry the entity's internal key (`entities.seq`); queries take the public entity id.
 */
import type { TelemetryQuery, TsValue } from '../types.ts';
import type { SqliteDatabase } from './database.ts';
import type { SqliteEntities } from './entities.ts';
import { KV_COLUMNS, KV_UPDATE, kvFromRow, type KvParams, type KvRow } from './kv-params.ts';

interface PointRow extends KvRow {
  ts: number;
}

interface LatestRow extends PointRow {
  key: string;
}

const UPSERT_POINT = `INSERT INTO telemetry (entity_seq, key, ts, ${KV_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (entity_seq, key, ts) DO UPDATE SET ${KV_UPDATE}`;
const UPSERT_LATEST = `INSERT INTO telemetry_latest (entity_seq, key, ts, ${KV_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (entity_seq, key) DO UPDATE SET ts = excluded.ts, ${KV_UPDATE} WHERE excluded.ts >= telemetry_latest.ts`;

export class SqliteTelemetry {
  readonly #db: SqliteDatabase;
  readonly #entities: SqliteEntities;

  constructor(db: SqliteDatabase, entities: SqliteEntities) {
    this.#db = db;
    this.#entities = entities;
  }

  /** Inserts a point, replacing the value already stored at the same (entity, key, ts). */
  upsertPoint(entitySeq: number, key: string, ts: number, kv: KvParams): void {
    this.#db.prepare(UPSERT_POINT).run(entitySeq, key, ts, ...kv);
  }

  /** Moves the latest value of (entity, key) to this point unless a newer one is stored. */
  upsertLatest(entitySeq: number, key: string, ts: number, kv: KvParams): void {
    this.#db.prepare(UPSERT_LATEST).run(entitySeq, key, ts, ...kv);
  }

  /** Points per key, newest first; keys without points in the range are left out. */
  queryTelemetry(q: TelemetryQuery): Record<string, TsValue[]> {
    const out: Record<string, TsValue[]> = {};
    const seq = this.#entities.seqOf(q.entityId);
    if (seq === undefined) return out;
    const keys = q.keys ?? this.#keys(seq);
    const stmt = this.#db.prepare(`SELECT ts, ${KV_COLUMNS} FROM telemetry
      WHERE entity_seq = ? AND key = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC LIMIT ?`);
    for (const key of new Set(keys)) {
      const rows = stmt.all(seq, key, q.from ?? Number.MIN_SAFE_INTEGER, q.to ?? Number.MAX_SAFE_INTEGER, q.limit ?? -1) as unknown as PointRow[];
      if (rows.length > 0) out[key] = rows.map((r) => ({ ts: r.ts, value: kvFromRow(r) }));
    }
    return out;
  }

  latestTelemetry(entityId: string, keys?: string[]): Record<string, TsValue> {
    const out: Record<string, TsValue> = {};
    const seq = this.#entities.seqOf(entityId);
    if (seq === undefined) return out;
    const rows = this.#db.prepare(`SELECT key, ts, ${KV_COLUMNS} FROM telemetry_latest WHERE entity_seq = ? ORDER BY key`)
      .all(seq) as unknown as LatestRow[];
    const wanted = keys === undefined ? null : new Set(keys);
    for (const r of rows) {
      if (wanted === null || wanted.has(r.key)) out[r.key] = { ts: r.ts, value: kvFromRow(r) };
    }
    return out;
  }

  /** The keys the entity has telemetry for, sorted. */
  telemetryKeys(entityId: string): string[] {
    const seq = this.#entities.seqOf(entityId);
    return seq === undefined ? [] : this.#keys(seq);
  }

  /** Number of stored points, of one entity or of all. */
  countTelemetry(entityId?: string): number {
    if (entityId === undefined) return (this.#db.prepare('SELECT count(*) AS n FROM telemetry').get() as { n: number }).n;
    const seq = this.#entities.seqOf(entityId);
    if (seq === undefined) return 0;
    return (this.#db.prepare('SELECT count(*) AS n FROM telemetry WHERE entity_seq = ?').get(seq) as { n: number }).n;
  }

  #keys(seq: number): string[] {
    const rows = this.#db.prepare('SELECT key FROM telemetry_latest WHERE entity_seq = ? ORDER BY key').all(seq) as Array<{ key: string }>;
    return rows.map((r) => r.key);
  }
}

/**
 * Time series: points keyed by (entity, key, ts) and the latest value per (entity, key). Rows
 * carry the entity's internal key (`entities.seq`) and the key name's id from `telemetry_keys`;
 * queries take the public entity id and key names. Ingest writes with multi-row statements.
 */
import { KV_COLUMNS, KV_UPDATE, kvFromRow, type KvRow } from '../kv-columns.ts';
import type { TelemetryQuery, TsValue } from '../types.ts';
import type { SqliteDatabase } from './database.ts';
import { SqliteDictionary } from './dictionary.ts';
import type { SqliteEntities } from './entities.ts';
import { MultiRowInsert, RowBuffer } from './multi-row.ts';

interface PointRow extends KvRow {
  ts: number;
}

interface LatestRow extends PointRow {
  key: string;
}

/** Columns of a point or latest row, in binding order. */
export const POINT_COLUMNS = 9;

export class SqliteTelemetry {
  readonly #db: SqliteDatabase;
  readonly #entities: SqliteEntities;
  readonly keys: SqliteDictionary;
  readonly #points: MultiRowInsert;
  readonly #latest: MultiRowInsert;

  constructor(db: SqliteDatabase, entities: SqliteEntities) {
    this.#db = db;
    this.#entities = entities;
    this.keys = new SqliteDictionary(db, 'telemetry_keys', 'key');
    // A point replaces the value already stored at the same (entity, key, ts).
    this.#points = new MultiRowInsert(db, {
      head: `INSERT INTO telemetry (entity_seq, key_id, ts, ${KV_COLUMNS})`, columns: POINT_COLUMNS,
      tail: `ON CONFLICT (entity_seq, key_id, ts) DO UPDATE SET ${KV_UPDATE}`,
    });
    // The latest value of (entity, key) moves to the point unless a newer one is stored.
    this.#latest = new MultiRowInsert(db, {
      head: `INSERT INTO telemetry_latest (entity_seq, key_id, ts, ${KV_COLUMNS})`, columns: POINT_COLUMNS,
      tail: `ON CONFLICT (entity_seq, key_id) DO UPDATE SET ts = excluded.ts, ${KV_UPDATE} WHERE excluded.ts >= telemetry_latest.ts`,
    });
  }

  /** A buffer of `[entitySeq, keyId, ts, ...kv]` point rows; flush it before COMMIT. */
  pointBuffer(): RowBuffer {
    return new RowBuffer(this.#points);
  }

  /** A buffer of `[entitySeq, keyId, ts, ...kv]` latest-value rows; flush it before COMMIT. */
  latestBuffer(): RowBuffer {
    return new RowBuffer(this.#latest);
  }

  /** Points per key, newest first; keys without points in the range are left out. */
  queryTelemetry(q: TelemetryQuery): Record<string, TsValue[]> {
    const out: Record<string, TsValue[]> = {};
    const seq = this.#entities.seqOf(q.entityId);
    if (seq === undefined) return out;
    const keys = q.keys ?? this.#keys(seq);
    const stmt = this.#db.prepare(`SELECT ts, ${KV_COLUMNS} FROM telemetry
      WHERE entity_seq = ? AND key_id = (SELECT id FROM telemetry_keys WHERE key = ?) AND ts >= ? AND ts <= ? ORDER BY ts DESC LIMIT ?`);
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
    const rows = this.#db.prepare(`SELECT k.key AS key, l.ts AS ts, ${KV_COLUMNS} FROM telemetry_latest l
      JOIN telemetry_keys k ON k.id = l.key_id WHERE l.entity_seq = ? ORDER BY k.key`).all(seq) as unknown as LatestRow[];
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
    const rows = this.#db.prepare(`SELECT k.key AS key FROM telemetry_latest l JOIN telemetry_keys k ON k.id = l.key_id
      WHERE l.entity_seq = ? ORDER BY k.key`).all(seq) as Array<{ key: string }>;
    return rows.map((r) => r.key);
  }
}

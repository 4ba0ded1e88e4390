/**
 * Time series: points keyed by (entity, key, ts) and the latest value per (entity, key). Rows
 * carry the entity's internal key (`entities.seq`) and the key name's id from `telemetry_keys`;
 * queries take the public entity id and key names. Ingest writes with multi-row statements.
 */
import { notInserted, type CommitTelemetry, type SlotPoint, type StoredSlot } from '../commit-telemetry.ts';
import { KV_COLUMNS, KV_UPDATE, kvFromRow, toKvColumns, type KvRow } from '../kv-columns.ts';
import type { TelemetryQuery, TsValue } from '../types.ts';
import type { SqliteDatabase } from './database.ts';
import { SqliteDictionary } from './dictionary.ts';
import type { SqliteEntities } from './entities.ts';
import { pushKv } from './kv-params.ts';
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
    // New points only; the slots that already hold a row are the ones not returned (see write()).
    this.#points = new MultiRowInsert(db, {
      head: `INSERT INTO telemetry (entity_seq, key_id, ts, ${KV_COLUMNS})`, columns: POINT_COLUMNS,
      tail: 'ON CONFLICT (entity_seq, key_id, ts) DO NOTHING RETURNING entity_seq, key_id, ts',
    });
    // The latest value of (entity, key) moves to the point unless a newer one is stored.
    this.#latest = new MultiRowInsert(db, {
      head: `INSERT INTO telemetry_latest (entity_seq, key_id, ts, ${KV_COLUMNS})`, columns: POINT_COLUMNS,
      tail: `ON CONFLICT (entity_seq, key_id) DO UPDATE SET ts = excluded.ts, ${KV_UPDATE} WHERE excluded.ts >= telemetry_latest.ts`,
    });
  }

  /**
   * Writes one commit's points and latest values; inside the transaction, before COMMIT. Explicit
   * points replace what a slot holds (counted by `points`), points without ts move past the slots
   * already taken (see ../commit-telemetry.ts).
   */
  write(points: CommitTelemetry<number>): void {
    if (points.size === 0) return;
    const explicit = points.explicitRows();
    for (const slot of this.#insertNew(explicit)) {
      const stored = this.#db.prepare(`SELECT ${KV_COLUMNS} FROM telemetry WHERE entity_seq = ? AND key_id = ? AND ts = ?`)
        .get(slot.entitySeq, slot.key, slot.ts) as KvRow | undefined;
      if (stored === undefined || !points.storedAt(slot, toKvColumns(kvFromRow(stored)))) continue;
      const values: Array<number | string | null> = [];
      pushKv(values, slot.kv);
      this.#db.prepare(`UPDATE telemetry SET (${KV_COLUMNS}) = (?, ?, ?, ?, ?, ?) WHERE entity_seq = ? AND key_id = ? AND ts = ?`)
        .run(...values, slot.entitySeq, slot.key, slot.ts);
    }
    let pending = this.#insertNew(points.placeImplicit());
    while (pending.length > 0) pending = this.#insertNew(points.replace(pending, this.#taken(points.takenWindows(pending))));
    const latest = new RowBuffer(this.#latest);
    for (const p of points.latestRows()) {
      latest.values.push(p.entitySeq, p.key, p.ts);
      pushKv(latest.values, p.kv);
      latest.endRow();
    }
    latest.flush();
  }

  /** Inserts the rows whose slot is free; returns the others (in order). */
  #insertNew(rows: SlotPoint<number>[]): SlotPoint<number>[] {
    if (rows.length === 0) return rows;
    const buffer = new RowBuffer(this.#points, { returning: true });
    for (const p of rows) {
      buffer.values.push(p.entitySeq, p.key, p.ts);
      pushKv(buffer.values, p.kv);
      buffer.endRow();
    }
    buffer.flush();
    const returned = buffer.returned ?? [];
    if (returned.length === rows.length) return [];
    return notInserted(rows, returned.map((r) => ({ entitySeq: r.entity_seq as number, key: r.key_id as number, ts: r.ts as number })));
  }

  /** The stored slots inside the windows. */
  #taken(windows: ReadonlyArray<{ entitySeq: number; key: number; from: number; to: number }>): Array<StoredSlot<number>> {
    const out: Array<StoredSlot<number>> = [];
    const stmt = this.#db.prepare('SELECT ts FROM telemetry WHERE entity_seq = ? AND key_id = ? AND ts BETWEEN ? AND ?');
    for (const w of windows) {
      for (const r of stmt.all(w.entitySeq, w.key, w.from, w.to) as Array<{ ts: number }>) out.push({ entitySeq: w.entitySeq, key: w.key, ts: r.ts });
    }
    return out;
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

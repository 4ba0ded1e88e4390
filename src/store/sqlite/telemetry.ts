/**
 * Time series: points keyed by (entity, key, ts) and the latest value per (entity, key). Rows
 * carry the entity's internal key (`entities.seq`) and the key name's id from `telemetry_keys`;
 * queries take the public entity id and key names. Ingest writes with multi-row statements.
 */
import { notInserted, sameKv, TakenRuns, type CommitTelemetry, type ExplicitSlot, type SlotPoint, type StoredSlot } from '../commit-telemetry.ts';
import { KV_COLUMNS, KV_UPDATE, kvFromRow, toKvColumns, type KvColumns, type KvRow } from '../kv-columns.ts';
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

/**
 * Thrown inside the commit's transaction when a slot TakenRuns expected to be free was taken
 * (another writer on the same database file): the ingest rolls back and commits again without hints.
 */
export class StaleSlotHint extends Error {
  constructor() {
    super('a telemetry slot expected to be free was taken by another writer');
    this.name = 'StaleSlotHint';
  }
}

/** Columns of a point or latest row, in binding order. */
export const POINT_COLUMNS = 9;

export class SqliteTelemetry {
  readonly #db: SqliteDatabase;
  readonly #entities: SqliteEntities;
  readonly keys: SqliteDictionary;
  /** Where points without ts need not be tried (a hint; see ../commit-telemetry.ts). */
  readonly runs = new TakenRuns();
  readonly #points: MultiRowInsert;
  readonly #pointsReturning: MultiRowInsert;
  readonly #latest: MultiRowInsert;

  constructor(db: SqliteDatabase, entities: SqliteEntities) {
    this.#db = db;
    this.#entities = entities;
    this.keys = new SqliteDictionary(db, 'telemetry_keys', 'key');
    // New points only: a slot that already holds a row is left alone (see #insertNew()).
    this.#points = new MultiRowInsert(db, {
      head: `INSERT INTO telemetry (entity_seq, key_id, ts, ${KV_COLUMNS})`, columns: POINT_COLUMNS,
      tail: 'ON CONFLICT (entity_seq, key_id, ts) DO NOTHING',
    });
    this.#pointsReturning = new MultiRowInsert(db, {
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
    this.#writeExplicit(points);
    // Slots the hints say are free are inserted without asking which were taken; the count of
    // inserted rows still checks it (see StaleSlotHint). The others learn it from RETURNING.
    const expected: Array<SlotPoint<number>> = [];
    const unsure: Array<SlotPoint<number>> = [];
    for (const p of points.placeImplicit()) (points.expectedFree(p) ? expected : unsure).push(p);
    if (expected.length > 0 && this.#insert(this.#points, expected).changes !== expected.length) throw new StaleSlotHint();
    let pending = this.#insertNew(unsure);
    while (pending.length > 0) pending = this.#insertNew(points.replace(pending, this.#taken(points.takenWindows(pending))));
    const latest = new RowBuffer(this.#latest);
    for (const p of points.latestRows()) {
      latest.values.push(p.entitySeq, p.key, p.ts);
      pushKv(latest.values, p.kv);
      latest.endRow();
    }
    latest.flush();
  }

  /**
   * The explicit slots: inserted where free; a slot that held a row already gets the commit's
   * value when it differs (`points.storedAt` counts the overwrite). Only the statements that
   * skipped a row are looked at again, so a commit without conflicts costs the inserts alone.
   */
  #writeExplicit(points: CommitTelemetry<number>): void {
    const fresh: Array<ExplicitSlot<number>> = [];
    for (const slot of points.explicitRows()) {
      // The commit changes this slot's value itself: what was stored before must be compared
      // with the commit's first value there, so it is read before the insert.
      const stored = sameKv(slot.firstKv, slot.kv) ? undefined : this.#stored(slot);
      if (stored === undefined) fresh.push(slot);
      else if (points.storedAt(slot, stored)) this.#update(slot);
    }
    const buffer = this.#insert(this.#points, fresh);
    for (const [first, count] of buffer.short) {
      // A skipped slot holds another message's row: an identical value stays, a different one is
      // replaced. (A slot read before the insert was free, so this commit's row is there now.)
      for (const slot of fresh.slice(first, first + count)) {
        if (!sameKv(slot.firstKv, slot.kv)) continue;
        const stored = this.#stored(slot);
        if (stored !== undefined && points.storedAt(slot, stored)) this.#update(slot);
      }
    }
  }

  #stored(slot: SlotPoint<number>): KvColumns | undefined {
    const row = this.#db.prepare(`SELECT ${KV_COLUMNS} FROM telemetry WHERE entity_seq = ? AND key_id = ? AND ts = ?`)
      .get(slot.entitySeq, slot.key, slot.ts) as KvRow | undefined;
    return row === undefined ? undefined : toKvColumns(kvFromRow(row));
  }

  #update(slot: SlotPoint<number>): void {
    const values: Array<number | string | null> = [];
    pushKv(values, slot.kv);
    this.#db.prepare(`UPDATE telemetry SET (${KV_COLUMNS}) = (?, ?, ?, ?, ?, ?) WHERE entity_seq = ? AND key_id = ? AND ts = ?`)
      .run(...values, slot.entitySeq, slot.key, slot.ts);
  }

  /** Inserts the rows whose slot is free; returns the others (in order), which RETURNING tells. */
  #insertNew<P extends SlotPoint<number>>(rows: P[]): P[] {
    if (rows.length === 0) return rows;
    const returned = this.#insert(this.#pointsReturning, rows).returned ?? [];
    if (returned.length === rows.length) return [];
    return notInserted(rows, returned.map((r) => ({ entitySeq: r.entity_seq as number, key: r.key_id as number, ts: r.ts as number })));
  }

  #insert(statement: MultiRowInsert, rows: ReadonlyArray<SlotPoint<number>>): RowBuffer {
    const buffer = new RowBuffer(statement, { returning: statement === this.#pointsReturning });
    for (const p of rows) {
      buffer.values.push(p.entitySeq, p.key, p.ts);
      pushKv(buffer.values, p.kv);
      buffer.endRow();
    }
    buffer.flush();
    return buffer;
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

/**
 * Time series: points keyed by (entity, key, ts) and the latest value per (entity, key). Rows
 * carry the entity's internal key (`entities.seq`); queries take the public entity id. Ingest
 * writes each table with one `unnest` statement per commit.
 */
import { notInserted, slotKey, TakenRuns, type CommitTelemetry, type ExplicitSlot, type SlotPoint, type StoredSlot, type TakenWindow } from '../commit-telemetry.ts';
import { KV_COLUMNS, KV_UPDATE, kvFromRow, toKvColumns, type KvRow } from '../kv-columns.ts';
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

  static of(points: Iterable<SlotPoint<string>>): PointRows {
    const rows = new PointRows();
    for (const p of points) {
      rows.entitySeq.push(p.entitySeq);
      rows.key.push(p.key);
      rows.ts.push(p.ts);
      rows.kv.push(p.kv);
    }
    return rows;
  }
}

function slotParams(points: ReadonlyArray<SlotPoint<string>>): unknown[] {
  return [points.map((p) => p.entitySeq), points.map((p) => p.key), points.map((p) => p.ts)];
}

const ROWS = `unnest($1::bigint[], $2::text[], $3::bigint[], ${kvUnnest(4)})`;
const SLOTS = 'unnest($1::bigint[], $2::text[], $3::bigint[]) AS s (entity_seq, key, ts)';

interface SlotRow extends KvRow {
  entity_seq: number;
  key: string;
  ts: number;
}

export class PostgresTelemetry {
  /** Where points without ts need not be tried (a hint; see ../commit-telemetry.ts). */
  readonly runs = new TakenRuns();
  readonly #sql: () => Sql;
  readonly #entities: PostgresEntities;

  constructor(sql: () => Sql, entities: PostgresEntities) {
    this.#sql = sql;
    this.#entities = entities;
  }

  /**
   * Writes one commit's points and latest values; inside the transaction, before COMMIT. Explicit
   * points replace what a slot holds (counted by `points`), points without ts move past the slots
   * already taken, also by a concurrent commit of another instance: the insert waits for it and
   * then skips the slot (see ../commit-telemetry.ts).
   */
  async write(sql: Sql, points: CommitTelemetry<string>): Promise<void> {
    if (points.size === 0) return;
    const taken = await this.#insertNew(sql, points.explicitRows());
    if (taken.length > 0) {
      const stored = await sql.rows<SlotRow>(`SELECT t.entity_seq, t.key, t.ts, t.value_type, t.bool_v, t.long_v, t.dbl_v, t.str_v, t.json_v
        FROM telemetry t JOIN ${SLOTS} ON t.entity_seq = s.entity_seq AND t.key = s.key AND t.ts = s.ts
        ORDER BY t.entity_seq, t.key, t.ts FOR UPDATE OF t`, slotParams(taken));
      const changed = new Map(taken.map((p) => [slotKey(p.entitySeq, p.key, p.ts), p]));
      const updates: Array<ExplicitSlot<string>> = [];
      for (const r of stored) {
        const slot = changed.get(slotKey(r.entity_seq, r.key, r.ts));
        if (slot !== undefined && points.storedAt(slot, toKvColumns(kvFromRow(r)))) updates.push(slot);
      }
      if (updates.length > 0) {
        await sql.run(`UPDATE telemetry t SET ${KV_UPDATE.replaceAll('excluded.', 'n.')}
          FROM ${ROWS} AS n (entity_seq, key, ts, value_type, bool_v, long_v, dbl_v, str_v, json_v)
          WHERE t.entity_seq = n.entity_seq AND t.key = n.key AND t.ts = n.ts`, PointRows.of(updates).params());
      }
    }
    let pending = await this.#insertNew(sql, points.placeImplicit());
    while (pending.length > 0) pending = await this.#insertNew(sql, points.replace(pending, await this.#taken(sql, points.takenWindows(pending))));
    await this.#writeLatest(sql, PointRows.of(points.latestRows()));
  }

  /** Inserts the rows whose slot is free; returns the others (in order). */
  async #insertNew<P extends SlotPoint<string>>(sql: Sql, rows: P[]): Promise<P[]> {
    if (rows.length === 0) return rows;
    const inserted = await sql.rows<{ entity_seq: number; key: string; ts: number }>(`INSERT INTO telemetry (entity_seq, key, ts, ${KV_COLUMNS})
      SELECT * FROM ${ROWS} ON CONFLICT (entity_seq, key, ts) DO NOTHING RETURNING entity_seq, key, ts`, PointRows.of(rows).params());
    if (inserted.length === rows.length) return [];
    return notInserted(rows, inserted.map((r) => ({ entitySeq: r.entity_seq, key: r.key, ts: r.ts })));
  }

  /** The stored slots inside the windows. */
  async #taken(sql: Sql, windows: Array<TakenWindow<string>>): Promise<Array<StoredSlot<string>>> {
    const rows = await sql.rows<{ entity_seq: number; key: string; ts: number }>(`SELECT t.entity_seq, t.key, t.ts
      FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[]) AS w (entity_seq, key, from_ts, to_ts)
      JOIN telemetry t ON t.entity_seq = w.entity_seq AND t.key = w.key AND t.ts BETWEEN w.from_ts AND w.to_ts`,
    [windows.map((w) => w.entitySeq), windows.map((w) => w.key), windows.map((w) => w.from), windows.map((w) => w.to)]);
    return rows.map((r) => ({ entitySeq: r.entity_seq, key: r.key, ts: r.ts }));
  }

  /** The latest value of (entity, key) moves to the row unless a newer one is stored (an equal ts replaces it). */
  async #writeLatest(sql: Sql, rows: PointRows): Promise<void> {
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

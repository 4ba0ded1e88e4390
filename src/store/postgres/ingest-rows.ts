/**
 * The data rows of one commit, buffered while items are decided and written at the end with one
 * statement per table. An upsert may not touch the same row twice, so rows are coalesced first:
 * points per (entity, key, ts) and attributes per (entity, key) keep the last write, latest
 * values keep the newest point (an equal ts replaces it), which leaves the rows as writing each
 * in turn would. Rows are written in key order, so concurrent commits lock shared rows in the
 * same order.
 */
import type { EntityRecord } from '../../core/model.ts';
import { AttributeWrites } from '../attribute-writes.ts';
import { toKvColumns, type KvColumns } from '../kv-columns.ts';
import type { PostgresAttributes } from './attributes.ts';
import type { Sql } from './database.ts';
import { PointRows, type PostgresTelemetry } from './telemetry.ts';

interface Point {
  entitySeq: number;
  key: string;
  ts: number;
  kv: KvColumns;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPointKey(a: Point, b: Point): number {
  return a.entitySeq - b.entitySeq || compareText(a.key, b.key) || a.ts - b.ts;
}

function toRows(points: Iterable<Point>): PointRows {
  const rows = new PointRows();
  for (const p of [...points].sort(byPointKey)) {
    rows.entitySeq.push(p.entitySeq);
    rows.key.push(p.key);
    rows.ts.push(p.ts);
    rows.kv.push(p.kv);
  }
  return rows;
}

export class IngestRows {
  /** `seq \0 key \0 ts` → the last point written there. */
  readonly #points = new Map<string, Point>();
  /** `seq \0 key` → the newest point. */
  readonly #latest = new Map<string, Point>();
  readonly #attributes = new AttributeWrites('client');

  /** Buffers a stored record's telemetry and client attributes (throws on a value that cannot be stored). */
  add(entitySeq: number, r: EntityRecord): void {
    for (const t of r.telemetry) {
      const point: Point = { entitySeq, key: t.key, ts: t.ts, kv: toKvColumns(t.value) };
      this.#points.set(`${entitySeq}\u0000${t.key}\u0000${t.ts}`, point);
      const latestKey = `${entitySeq}\u0000${t.key}`;
      const current = this.#latest.get(latestKey);
      if (current === undefined || point.ts >= current.ts) this.#latest.set(latestKey, point);
    }
    for (const a of r.attributes) this.#attributes.set(entitySeq, a.key, toKvColumns(a.value));
  }

  /** Writes the buffered rows; inside the transaction, before COMMIT. */
  async flush(sql: Sql, telemetry: PostgresTelemetry, attributes: PostgresAttributes, now: number): Promise<void> {
    await telemetry.writePoints(sql, toRows(this.#points.values()));
    await telemetry.writeLatest(sql, toRows(this.#latest.values()));
    await attributes.write(sql, this.#attributes, now);
  }
}

/**
 * The data rows of one commit, buffered while items are decided and written at the end with a
 * few statements per table. Points follow ../commit-telemetry.ts (a point with its own ts replaces
 * its slot's value, the last write wins and an overwrite from another message is counted; one
 * without ts moves to the next free millisecond); attributes are coalesced per (entity, key),
 * the last write wins. Rows are written in key order, so concurrent commits lock shared rows in
 * the same order.
 */
import type { EntityRecord } from '../../core/model.ts';
import { AttributeWrites } from '../attribute-writes.ts';
import { CommitTelemetry, type SlotPoint } from '../commit-telemetry.ts';
import { toKvColumns } from '../kv-columns.ts';
import { OutboxCollector, type OutboxInsert } from '../outbox-rows.ts';
import type { PostgresAttributes } from './attributes.ts';
import type { Sql } from './database.ts';
import type { PostgresTelemetry } from './telemetry.ts';

export class IngestRows {
  readonly telemetry: CommitTelemetry<string>;
  readonly #attributes = new AttributeWrites('client');
  /** The outbox rows of the stored records, when the commit forwards (ADR 017). */
  readonly #outbox: OutboxCollector<string> | null;

  constructor(telemetry: PostgresTelemetry, forward: { integrationId: string; forward?: string[] }) {
    this.telemetry = new CommitTelemetry(telemetry.runs);
    this.#outbox = forward.forward !== undefined && forward.forward.length > 0 ? new OutboxCollector(forward.forward, forward.integrationId) : null;
  }

  /** Buffers a stored record's telemetry and client attributes (throws on a value that cannot be stored); items in commit order. */
  add(item: number, entitySeq: number, r: EntityRecord): void {
    const points: Array<SlotPoint<string>> | null = this.#outbox === null ? null : [];
    for (const t of r.telemetry) {
      const point = this.telemetry.add(item, entitySeq, t.key, t, toKvColumns(t.value));
      points?.push(point);
    }
    for (const a of r.attributes) this.#attributes.set(entitySeq, a.key, toKvColumns(a.value));
    if (points !== null) this.#outbox?.add(r, points);
  }

  /** The outbox rows, with the ts each point was stored at; after `flush`. */
  outboxRows(): OutboxInsert[] {
    return this.#outbox === null ? [] : this.#outbox.rows(this.telemetry);
  }

  /** Writes the buffered rows; inside the transaction, before COMMIT. */
  async flush(sql: Sql, telemetry: PostgresTelemetry, attributes: PostgresAttributes, now: number): Promise<void> {
    await telemetry.write(sql, this.telemetry);
    await attributes.write(sql, this.#attributes, now);
  }
}

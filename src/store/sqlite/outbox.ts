/**
 * The forwarders' outbox (ADR 017): rows written by a commit in its transaction (`insert`, with
 * multi-row statements) or by appendOutbox, read by a forwarder in seq order, deleted once
 * delivered, or moved to the dead letters when refused or past the retention.
 */
import { OUTBOX_COLUMNS, OUTBOX_EXPIRE_CHUNK, OUTBOX_INSERT_COLUMNS, outboxDeadLetter, outboxInserts, retentionReason, toOutboxRow, type OutboxInsert, type OutboxTableRow } from '../outbox-rows.ts';
import type { NewOutboxRow, OutboxRow } from '../types.ts';
import type { SqliteDatabase } from './database.ts';
import type { SqliteDeadLetters } from './dead-letters.ts';
import { MultiRowInsert, RowBuffer } from './multi-row.ts';

export class SqliteOutbox {
  readonly #db: SqliteDatabase;
  readonly #deadLetters: SqliteDeadLetters;
  readonly #insert: MultiRowInsert;

  /** `deadLetters` receives the refused and expired rows, in the same transaction. */
  constructor(parts: { db: SqliteDatabase; deadLetters: SqliteDeadLetters }) {
    ({ db: this.#db, deadLetters: this.#deadLetters } = parts);
    this.#insert = new MultiRowInsert(parts.db, { head: `INSERT INTO outbox (${OUTBOX_INSERT_COLUMNS})`, columns: 6, tail: '' });
  }

  /** Inserts the rows in order (ascending seq); the caller provides the transaction. */
  insert(rows: OutboxInsert[], now: number): void {
    if (rows.length === 0) return;
    const buffer = new RowBuffer(this.#insert);
    for (const r of rows) {
      buffer.values.push(r.forwarder, r.integrationId, r.deviceName, r.deviceType, r.entryJson, now);
      buffer.endRow();
    }
    buffer.flush();
  }

  appendOutbox(rows: NewOutboxRow[]): void {
    const inserts = outboxInserts(rows);
    this.#db.transaction(() => this.insert(inserts, Date.now()));
  }

  readOutbox(forwarder: string, afterSeq: number, limit: number): OutboxRow[] {
    const rows = this.#db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE forwarder = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(forwarder, afterSeq, limit) as unknown as OutboxTableRow[];
    return rows.map(toOutboxRow);
  }

  deleteOutbox(forwarder: string, seqs: number[]): void {
    if (seqs.length === 0) return;
    const stmt = this.#db.prepare('DELETE FROM outbox WHERE forwarder = ? AND seq = ?');
    this.#db.transaction(() => {
      for (const seq of seqs) stmt.run(forwarder, seq);
    });
  }

  rejectOutbox(forwarder: string, seq: number, errorCode: string, error: string): string | null {
    return this.#db.transaction(() => {
      const row = this.#db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE forwarder = ? AND seq = ?`).get(forwarder, seq) as OutboxTableRow | undefined;
      if (row === undefined) return null;
      return this.#move(toOutboxRow(row), errorCode, error, Date.now());
    });
  }

  outboxStats(forwarder: string): { depth: number; oldestAt: number | null } {
    const { n } = this.#db.prepare('SELECT count(*) AS n FROM outbox WHERE forwarder = ?').get(forwarder) as { n: number };
    const oldest = this.#db.prepare('SELECT created_at FROM outbox WHERE forwarder = ? ORDER BY seq LIMIT 1').get(forwarder) as { created_at: number } | undefined;
    return { depth: n, oldestAt: oldest?.created_at ?? null };
  }

  /**
   * Moves the oldest rows (in seq order) created before `olderThan`, then the oldest beyond
   * `maxRows`, a chunk per transaction.
   */
  expireOutbox(forwarder: string, opts: { olderThan: number; maxRows: number }): number {
    let moved = 0;
    const head = this.#db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE forwarder = ? ORDER BY seq LIMIT ?`);
    for (;;) {
      const n = this.#db.transaction(() => {
        const rows = (head.all(forwarder, OUTBOX_EXPIRE_CHUNK) as unknown as OutboxTableRow[]).filter((r) => r.created_at < opts.olderThan);
        for (const r of rows) this.#move(toOutboxRow(r), 'OUTBOX_RETENTION', retentionReason(forwarder, 'age', opts), Date.now());
        return rows.length;
      });
      moved += n;
      if (n < OUTBOX_EXPIRE_CHUNK) break;
    }
    for (;;) {
      const n = this.#db.transaction(() => {
        const { depth } = this.outboxStats(forwarder);
        const excess = Math.min(OUTBOX_EXPIRE_CHUNK, depth - Math.max(0, opts.maxRows));
        if (excess <= 0) return 0;
        const rows = head.all(forwarder, excess) as unknown as OutboxTableRow[];
        for (const r of rows) this.#move(toOutboxRow(r), 'OUTBOX_RETENTION', retentionReason(forwarder, 'rows', opts), Date.now());
        return rows.length;
      });
      moved += n;
      if (n === 0) break;
    }
    return moved;
  }

  /** Dead-letters the row and deletes it; inside a transaction. */
  #move(row: OutboxRow, errorCode: string, error: string, now: number): string {
    const id = this.#deadLetters.insert(outboxDeadLetter(row, errorCode, error), now);
    this.#db.prepare('DELETE FROM outbox WHERE seq = ?').run(row.seq);
    return id;
  }
}

/**
 * The forwarders' outbox (ADR 017): rows written by a commit in its transaction (`insert`, one
 * `unnest` statement) or by appendOutbox, read by a forwarder in seq order, deleted once
 * delivered, or moved to the dead letters when refused or past the retention.
 *
 * Several transactions may write rows at once (instances sharing the database, or commits of
 * several integrations on the pool): a seq is drawn at insert time but becomes visible only at
 * COMMIT, so a reader could see seq 12 before a slower transaction's seq 11 and read past it.
 * A transaction writing rows for a forwarder therefore takes that forwarder's advisory lock
 * (until COMMIT) just before its insert: the rows of one forwarder become visible in seq order.
 * The lock is taken last in the commit, after every row lock, so it cannot close a deadlock.
 */
import { OUTBOX_COLUMNS, OUTBOX_EXPIRE_CHUNK, OUTBOX_INSERT_COLUMNS, outboxDeadLetter, outboxInserts, retentionReason, toOutboxRow, type OutboxInsert, type OutboxTableRow } from '../outbox-rows.ts';
import type { NewOutboxRow, OutboxRow } from '../types.ts';
import type { PostgresDatabase, Sql } from './database.ts';
import { DeadLetterRows, type PostgresDeadLetters } from './dead-letters.ts';

const LOCK = `hashtext('cloudbridge.outbox:' || coalesce(current_schema(), '') || ':' || $1::text)`;

export class PostgresOutbox {
  readonly #db: PostgresDatabase;
  readonly #deadLetters: PostgresDeadLetters;

  /** `deadLetters` receives the refused and expired rows, in the same transaction. */
  constructor(parts: { db: PostgresDatabase; deadLetters: PostgresDeadLetters }) {
    ({ db: this.#db, deadLetters: this.#deadLetters } = parts);
  }

  /** Inserts the rows in order (ascending seq); the caller provides the transaction and commits soon after. */
  async insert(sql: Sql, rows: OutboxInsert[], now: number): Promise<void> {
    if (rows.length === 0) return;
    // Sorted: transactions writing for the same forwarders lock them in one order.
    for (const forwarder of [...new Set(rows.map((r) => r.forwarder))].sort()) await sql.run(`SELECT pg_advisory_xact_lock(${LOCK})`, [forwarder]);
    await sql.run(`INSERT INTO outbox (${OUTBOX_INSERT_COLUMNS})
      SELECT forwarder, integration_id, device_name, device_type, entry_json, $6
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
        AS r (forwarder, integration_id, device_name, device_type, entry_json, ord) ORDER BY ord`,
    [rows.map((r) => r.forwarder), rows.map((r) => r.integrationId), rows.map((r) => r.deviceName), rows.map((r) => r.deviceType),
      rows.map((r) => r.entryJson), now]);
  }

  async appendOutbox(rows: NewOutboxRow[]): Promise<void> {
    const inserts = outboxInserts(rows);
    if (inserts.length === 0) return;
    await this.#db.transaction((sql) => this.insert(sql, inserts, Date.now()));
  }

  async readOutbox(forwarder: string, afterSeq: number, limit: number): Promise<OutboxRow[]> {
    const rows = await this.#db.sql.rows<OutboxTableRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE forwarder = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [forwarder, afterSeq, limit]);
    return rows.map(toOutboxRow);
  }

  async deleteOutbox(forwarder: string, seqs: number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.#db.sql.run('DELETE FROM outbox WHERE forwarder = $1 AND seq = ANY($2::bigint[])', [forwarder, seqs]);
  }

  async rejectOutbox(forwarder: string, seq: number, errorCode: string, error: string): Promise<string | null> {
    return this.#db.transaction(async (sql) => {
      const row = await sql.one<OutboxTableRow>(`DELETE FROM outbox WHERE forwarder = $1 AND seq = $2 RETURNING ${OUTBOX_COLUMNS}`, [forwarder, seq]);
      if (row === undefined) return null;
      const letters = new DeadLetterRows();
      const id = letters.add(outboxDeadLetter(toOutboxRow(row), errorCode, error));
      await this.#deadLetters.insert(sql, letters, Date.now());
      return id;
    });
  }

  async outboxStats(forwarder: string): Promise<{ depth: number; oldestAt: number | null }> {
    const sql = this.#db.sql;
    const depth = (await sql.one<{ n: number }>('SELECT count(*)::bigint AS n FROM outbox WHERE forwarder = $1', [forwarder]))?.n ?? 0;
    const oldest = await sql.one<{ created_at: number }>('SELECT created_at FROM outbox WHERE forwarder = $1 ORDER BY seq LIMIT 1', [forwarder]);
    return { depth, oldestAt: oldest?.created_at ?? null };
  }

  /**
   * Moves the oldest rows (in seq order) created before `olderThan`, then the oldest beyond
   * `maxRows`, a chunk per transaction.
   */
  async expireOutbox(forwarder: string, opts: { olderThan: number; maxRows: number }): Promise<number> {
    let moved = 0;
    for (;;) {
      const n = await this.#moveHead(forwarder, async (sql) => {
        const head = await sql.rows<{ seq: number; created_at: number }>('SELECT seq, created_at FROM outbox WHERE forwarder = $1 ORDER BY seq LIMIT $2',
          [forwarder, OUTBOX_EXPIRE_CHUNK]);
        return head.filter((r) => r.created_at < opts.olderThan).map((r) => r.seq);
      }, retentionReason(forwarder, 'age', opts));
      moved += n;
      if (n < OUTBOX_EXPIRE_CHUNK) break;
    }
    for (;;) {
      const n = await this.#moveHead(forwarder, async (sql) => {
        const depth = (await sql.one<{ n: number }>('SELECT count(*)::bigint AS n FROM outbox WHERE forwarder = $1', [forwarder]))?.n ?? 0;
        const excess = Math.min(OUTBOX_EXPIRE_CHUNK, depth - Math.max(0, opts.maxRows));
        if (excess <= 0) return [];
        const head = await sql.rows<{ seq: number }>('SELECT seq FROM outbox WHERE forwarder = $1 ORDER BY seq LIMIT $2', [forwarder, excess]);
        return head.map((r) => r.seq);
      }, retentionReason(forwarder, 'rows', opts));
      moved += n;
      if (n === 0) break;
    }
    return moved;
  }

  /** In one transaction: dead-letters (OUTBOX_RETENTION) and deletes the rows `pick` names; how many were moved. */
  async #moveHead(forwarder: string, pick: (sql: Sql) => Promise<number[]>, reason: string): Promise<number> {
    return this.#db.transaction(async (sql) => {
      const seqs = await pick(sql);
      if (seqs.length === 0) return 0;
      // A row a forwarder deleted meanwhile (delivered) is simply not returned.
      const rows = await sql.rows<OutboxTableRow>(`DELETE FROM outbox WHERE forwarder = $1 AND seq = ANY($2::bigint[]) RETURNING ${OUTBOX_COLUMNS}`,
        [forwarder, seqs]);
      rows.sort((a, b) => a.seq - b.seq);
      const letters = new DeadLetterRows();
      for (const r of rows) letters.add(outboxDeadLetter(toOutboxRow(r), 'OUTBOX_RETENTION', reason));
      await this.#deadLetters.insert(sql, letters, Date.now());
      return seqs.length;
    });
  }
}

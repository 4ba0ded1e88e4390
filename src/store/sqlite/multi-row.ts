/**
 * Multi-row INSERT statements for the ingest hot path: one statement writes up to
 * MULTI_ROW_MAX rows, which saves most of the per-statement cost of row-by-row inserts. Rows
 * are written in chunks whose sizes are powers of two (128, 64, ..., 1), so a table needs at
 * most eight prepared statements whatever the row count. Rows are written in order: a later row
 * that conflicts with an earlier one of the same statement takes the ON CONFLICT path, exactly
 * as with one statement per row.
 */
import type { SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase } from './database.ts';

export const MULTI_ROW_MAX = 128;

export interface MultiRowSql {
  /** `INSERT INTO t (a, b)` */
  head: string;
  /** Placeholders per row, e.g. 2 for `(?, ?)`. */
  columns: number;
  /** `ON CONFLICT ...` (and `RETURNING ...`), may be empty. */
  tail: string;
}

/** A row a `RETURNING` clause gave back. */
export type ReturnedRow = Record<string, unknown>;

export class MultiRowInsert {
  readonly columns: number;
  readonly #db: SqliteDatabase;
  readonly #sql: MultiRowSql;
  readonly #row: string;
  /** SQL text per row count; the database caches the prepared statements. */
  readonly #texts = new Map<number, string>();

  constructor(db: SqliteDatabase, sql: MultiRowSql) {
    this.#db = db;
    this.columns = sql.columns;
    this.#sql = sql;
    this.#row = `(${Array.from({ length: sql.columns }, () => '?').join(', ')})`;
  }

  /**
   * Writes the rows held in `params`, `columns` values per row, in order; returns how many rows
   * the statements changed. With `returned`, the statements' RETURNING rows are appended to it.
   */
  run(params: SQLInputValue[], returned?: ReturnedRow[], short?: (firstRow: number, rows: number) => void): number {
    const columns = this.columns;
    const rows = params.length / columns;
    let done = 0;
    let changes = 0;
    for (let size = MULTI_ROW_MAX; size >= 1; size >>= 1) {
      while (rows - done >= size) {
        const start = done * columns;
        const args = start === 0 && size === rows ? params : params.slice(start, start + size * columns);
        const stmt = this.#db.prepare(this.#text(size));
        if (returned === undefined) {
          const changed = Number(stmt.run(...args).changes);
          if (changed < size) short?.(done, size);
          changes += changed;
        } else {
          for (const r of stmt.all(...args)) returned.push(r as ReturnedRow);
        }
        done += size;
      }
    }
    return changes;
  }

  #text(rows: number): string {
    let text = this.#texts.get(rows);
    if (text === undefined) {
      text = `${this.#sql.head} VALUES ${Array.from({ length: rows }, () => this.#row).join(', ')} ${this.#sql.tail}`;
      this.#texts.set(rows, text);
    }
    return text;
  }
}

/**
 * Rows waiting for one multi-row insert, for one transaction: push a row's values, then call
 * `endRow()`; full chunks are written as they fill, `flush()` writes the rest.
 */
export class RowBuffer {
  readonly values: SQLInputValue[] = [];
  /** The RETURNING rows of the statements run so far, when the buffer collects them. */
  readonly returned: ReturnedRow[] | undefined;
  /** Rows changed by the statements run so far (without `returning`). */
  changes = 0;
  /**
   * Without `returning`: the rows (indexes in the order they were pushed) of each statement that
   * changed fewer rows than it wrote (an `ON CONFLICT DO NOTHING` skipped some), as [first, count].
   */
  readonly short: Array<[first: number, count: number]> = [];
  #rowsFlushed = 0;
  readonly #insert: MultiRowInsert;
  readonly #chunkValues: number;

  constructor(insert: MultiRowInsert, opts: { returning?: boolean } = {}) {
    this.#insert = insert;
    this.#chunkValues = insert.columns * MULTI_ROW_MAX;
    this.returned = opts.returning === true ? [] : undefined;
  }

  endRow(): void {
    if (this.values.length >= this.#chunkValues) this.flush();
  }

  flush(): void {
    if (this.values.length === 0) return;
    const offset = this.#rowsFlushed;
    this.changes += this.#insert.run(this.values, this.returned, (first, count) => this.short.push([offset + first, count]));
    this.#rowsFlushed += this.values.length / this.#insert.columns;
    this.values.length = 0;
  }
}

/** The dedupe layouts on SQLite: a database file of their own, WAL, synchronous=FULL, as the store opens it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQLInputValue } from 'node:sqlite';
import { SqliteDatabase } from '../../src/store/sqlite/database.ts';
import { MultiRowInsert, RowBuffer } from '../../src/store/sqlite/multi-row.ts';
import { PreviousGenerationFilter } from './bloom.ts';
import { digest16, digest64 } from './keys.ts';
import { isGenerational, type LayoutBench, type RecordMode } from './layouts.ts';

const INTEGRATION = 1;

interface Shape {
  /** CREATE TABLE for table `t`. */
  create: (t: string) => string;
  columns: string;
  /** Row values of a key, without committed_at. */
  row: (key: string) => SQLInputValue[];
  /** The ON CONFLICT target, when not all of `columns`. */
  conflict?: string;
  /** WHERE clause matching one key, with the values `row` gives. */
  match: string;
  timed: boolean;
}

const SHAPES: Record<string, Shape> = {
  'hash32+time-index': {
    create: (t) => `CREATE TABLE ${t} (integration INTEGER NOT NULL, source_key NOT NULL, committed_at INTEGER NOT NULL,
      PRIMARY KEY (integration, source_key)) WITHOUT ROWID; CREATE INDEX ${t}_committed_at ON ${t} (committed_at)`,
    columns: 'integration, source_key', row: (k) => [INTEGRATION, Buffer.from(k, 'hex')], match: 'integration = ? AND source_key = ?', timed: true,
  },
  'digest16+time-index': {
    create: (t) => `CREATE TABLE ${t} (integration INTEGER NOT NULL, digest BLOB NOT NULL, committed_at INTEGER NOT NULL,
      PRIMARY KEY (integration, digest)) WITHOUT ROWID; CREATE INDEX ${t}_committed_at ON ${t} (committed_at)`,
    columns: 'integration, digest', row: (k) => [INTEGRATION, digest16(k)], match: 'integration = ? AND digest = ?', timed: true,
  },
  hash32: {
    create: (t) => `CREATE TABLE ${t} (integration INTEGER NOT NULL, source_key NOT NULL, PRIMARY KEY (integration, source_key)) WITHOUT ROWID`,
    columns: 'integration, source_key', row: (k) => [INTEGRATION, Buffer.from(k, 'hex')], match: 'integration = ? AND source_key = ?', timed: false,
  },
  digest16: {
    create: (t) => `CREATE TABLE ${t} (integration INTEGER NOT NULL, digest BLOB NOT NULL, PRIMARY KEY (integration, digest)) WITHOUT ROWID`,
    columns: 'integration, digest', row: (k) => [INTEGRATION, digest16(k)], match: 'integration = ? AND digest = ?', timed: false,
  },
  'digest16+filter': {
    create: (t) => `CREATE TABLE ${t} (integration INTEGER NOT NULL, digest BLOB NOT NULL, PRIMARY KEY (integration, digest)) WITHOUT ROWID`,
    columns: 'integration, digest', row: (k) => [INTEGRATION, digest16(k)], match: 'integration = ? AND digest = ?', timed: false,
  },
  int64: {
    create: (t) => `CREATE TABLE ${t} (digest INTEGER PRIMARY KEY)`,
    columns: 'digest', row: (k) => [digest64(k)], match: 'digest = ?', timed: false,
  },
  'int64+lo': {
    create: (t) => `CREATE TABLE ${t} (hi INTEGER PRIMARY KEY, lo INTEGER NOT NULL)`,
    columns: 'lo, hi', conflict: 'hi', row: (k) => { const d = digest16(k); return [d.readBigInt64BE(8), d.readBigInt64BE(0)]; }, match: 'lo = ? AND hi = ?', timed: false,
  },
  log16: {
    create: (t) => `CREATE TABLE ${t} (seq INTEGER PRIMARY KEY, digest BLOB NOT NULL)`,
    columns: 'digest', row: (k) => [digest16(k)], match: '', timed: false,
  },
};

export async function openSqliteBench(layout: string): Promise<LayoutBench> {
  const shape = SHAPES[layout];
  if (shape === undefined) throw new Error(`unknown layout ${layout}`);
  const dir = mkdtempSync(join(tmpdir(), 'cb-dedupe-layouts-'));
  const db = new SqliteDatabase({ path: join(dir, 'dedupe.db') });
  const generational = isGenerational(layout);
  let current = 'g1';
  let previous: string | null = null;
  let commit = 0;
  const filter = new PreviousGenerationFilter(layout);
  db.exec(shape.create(current));
  const width = shape.row('00').length + (shape.timed ? 1 : 0);
  const inserts = new Map<string, MultiRowInsert>();
  const insert = (table: string): MultiRowInsert => {
    let stmt = inserts.get(table);
    if (stmt === undefined) {
      const head = `INSERT INTO ${table} (${shape.columns}${shape.timed ? ', committed_at' : ''})`;
      const keyColumns = shape.conflict ?? shape.columns;
      const tail = layout === 'log16' ? ''
        : shape.timed ? `ON CONFLICT (${keyColumns}) DO UPDATE SET committed_at = excluded.committed_at`
          : `ON CONFLICT (${keyColumns}) DO NOTHING`;
      stmt = new MultiRowInsert(db, { head, columns: width, tail });
      inserts.set(table, stmt);
    }
    return stmt;
  };
  const found = (table: string, row: SQLInputValue[]): boolean => db.prepare(`SELECT 1 AS f FROM ${table} WHERE ${shape.match}`).get(...row) !== undefined;

  return {
    async record(keys: string[], mode: RecordMode): Promise<void> {
      commit++;
      db.transaction(() => {
        const rows = keys.map((k) => shape.row(k));
        // The store writes keys in table order: neighbouring inserts share pages.
        if (layout !== 'log16') rows.sort((a, b) => (typeof a.at(-1) === 'bigint' ? Number((a.at(-1) as bigint) - (b.at(-1) as bigint)) : Buffer.compare(a.at(-1) as Buffer, b.at(-1) as Buffer)));
        if (mode === 'check' && !generational && layout !== 'log16') {
          // The store before ADR 011: one lookup per key, then the new keys in one insert.
          const fresh = rows.filter((r) => !found(current, r));
          writeRows(insert(current), fresh);
          return;
        }
        if (mode === 'check' && previous !== null) {
          // A key may be in the previous generation: looked up there, the others claimed in the current one.
          const prev = previous;
          writeRows(insert(current), rows.filter((r) => !filter.mayHold(r.at(-1) as Uint8Array) || !found(prev, r)));
          return;
        }
        writeRows(insert(current), rows);
      });

      function writeRows(stmt: MultiRowInsert, rows: SQLInputValue[][]): void {
        const buffer = new RowBuffer(stmt);
        for (const r of rows) {
          buffer.values.push(...r);
          filter.note([r.at(-1) as Uint8Array]);
          if (shape?.timed === true) buffer.values.push(commit);
          buffer.endRow();
        }
        buffer.flush();
      }
    },
    async count(): Promise<number> {
      const n = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      return n(current) + (previous === null ? 0 : n(previous));
    },
    async rotate(): Promise<void> {
      if (!generational) return;
      previous = current;
      current = 'g2';
      filter.rotate();
      db.exec(shape.create(current));
    },
    async pruneAll(): Promise<number> {
      if (generational) {
        if (previous === null) return 0;
        const n = (db.prepare(`SELECT count(*) AS n FROM ${previous}`).get() as { n: number }).n;
        db.transaction(() => db.exec(`DROP TABLE ${previous}`));
        previous = null;
        return n;
      }
      if (!shape.timed) return 0;
      const total = (db.prepare(`SELECT count(*) AS n FROM ${current}`).get() as { n: number }).n;
      const cutoff = (db.prepare(`SELECT committed_at AS c FROM ${current} ORDER BY committed_at LIMIT 1 OFFSET ?`).get(Math.floor(total / 100)) as { c: number }).c;
      let removed = 0;
      // As the store prunes: chunks of 10 000 keys, each its own transaction.
      for (;;) {
        const n = Number(db.transaction(() => db.prepare(`DELETE FROM ${current} WHERE (${shape.columns}) IN (
          SELECT ${shape.columns} FROM ${current} WHERE committed_at < ? LIMIT 10000)`).run(cutoff).changes));
        removed += n;
        if (n < 10_000) return removed;
      }
    },
    async backendCpuMs(): Promise<number> {
      return 0;
    },
    async close(): Promise<void> {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

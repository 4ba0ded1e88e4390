/**
 * Telemetry row layouts side by side (ADR 011, the store write path): writing the points of
 * 1000-message commits (the MQTT bench's shape: 3 points with ts per message, `--devices`
 * devices) in the store's layout, one row per (entity, key, ts); in the same rows with one untyped
 * value column and an integer type (SQLite only) instead of the type name and five typed columns;
 * and in a packed prototype, one row per (entity, ts) holding the message's values. New points
 * only (what a live source writes);
 * the prototype leaves out what the store must also do with packed rows: merging a point into a
 * slot that holds other keys, and reading one key out of them. CPU of this process per commit
 * (PostgreSQL: + its backend's), on an empty table and after `--fill` points. No assertions.
 *   node bench/telemetry-layouts.ts [--store sqlite|postgres] [--devices 100] [--fill 1000000] [--batches 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQLInputValue } from 'node:sqlite';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SqliteDatabase } from '../src/store/sqlite/database.ts';
import { MultiRowInsert, RowBuffer } from '../src/store/sqlite/multi-row.ts';
import { createBenchSchema } from './postgres-schema.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    store: { type: 'string', default: 'sqlite' },
    devices: { type: 'string', default: '100' },
    fill: { type: 'string', default: '1000000' },
    batches: { type: 'string', default: '50' },
    'postgres-url': { type: 'string', default: process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const devices = Number(values.devices);
const fillPoints = Number(values.fill);
const batches = Number(values.batches);
const BATCH = 1000;
const T0 = 1_700_000_000_000;
const KEYS = ['temperature', 'humidity', 'seq'];

interface Point { entity: number; key: number; ts: number; dbl: number | null; long: number | null }

/** The points of messages first..first+BATCH-1, in table order (entity, key, ts), as the store sorts them. */
function points(first: number): Point[] {
  const out: Point[] = [];
  for (let i = first; i < first + BATCH; i++) {
    const entity = (i % devices) + 1;
    out.push({ entity, key: 1, ts: T0 + i, dbl: 20 + (i % 100) / 10, long: null });
    out.push({ entity, key: 2, ts: T0 + i, dbl: null, long: 40 + (i % 50) });
    out.push({ entity, key: 3, ts: T0 + i, dbl: null, long: i });
  }
  return out.sort((a, b) => a.entity - b.entity || a.key - b.key || a.ts - b.ts);
}

/** The packed row of a message: its values by key id, JSON (what a reader would parse back). */
function packed(first: number): Array<{ entity: number; ts: number; values: string }> {
  const out: Array<{ entity: number; ts: number; values: string }> = [];
  for (let i = first; i < first + BATCH; i++) {
    out.push({ entity: (i % devices) + 1, ts: T0 + i, values: JSON.stringify([[1, 'double', 20 + (i % 100) / 10], [2, 'long', 40 + (i % 50)], [3, 'long', i]]) });
  }
  return out.sort((a, b) => a.entity - b.entity || a.ts - b.ts);
}

interface LayoutRun {
  write(first: number): Promise<void>;
  count(): Promise<number>;
  backendCpuMs(): Promise<number>;
  close(): Promise<void>;
}

const LAYOUTS = ['row-per-point', 'row-per-point-1-value', 'row-per-message'] as const;
type Layout = typeof LAYOUTS[number];

function openSqlite(layout: Layout): LayoutRun {
  const dir = mkdtempSync(join(tmpdir(), 'cb-telemetry-layouts-'));
  const db = new SqliteDatabase({ path: join(dir, 't.db') });
  let insert: MultiRowInsert;
  if (layout === 'row-per-point') {
    // The store's table (migration 002).
    db.exec(`CREATE TABLE telemetry (entity_seq INTEGER NOT NULL, key_id INTEGER NOT NULL, ts INTEGER NOT NULL, value_type TEXT NOT NULL,
      bool_v INTEGER, long_v INTEGER, dbl_v REAL, str_v TEXT, json_v TEXT, PRIMARY KEY (entity_seq, key_id, ts)) WITHOUT ROWID`);
    insert = new MultiRowInsert(db, {
      head: 'INSERT INTO telemetry (entity_seq, key_id, ts, value_type, bool_v, long_v, dbl_v, str_v, json_v)', columns: 9,
      tail: 'ON CONFLICT (entity_seq, key_id, ts) DO NOTHING',
    });
  } else if (layout === 'row-per-point-1-value') {
    // No affinity on `v`: each value keeps its storage class; `value_type` 1 = double, 2 = long.
    db.exec(`CREATE TABLE telemetry (entity_seq INTEGER NOT NULL, key_id INTEGER NOT NULL, ts INTEGER NOT NULL, value_type INTEGER NOT NULL,
      v, PRIMARY KEY (entity_seq, key_id, ts)) WITHOUT ROWID`);
    insert = new MultiRowInsert(db, {
      head: 'INSERT INTO telemetry (entity_seq, key_id, ts, value_type, v)', columns: 5, tail: 'ON CONFLICT (entity_seq, key_id, ts) DO NOTHING',
    });
  } else {
    db.exec('CREATE TABLE telemetry (entity_seq INTEGER NOT NULL, ts INTEGER NOT NULL, kv TEXT NOT NULL, PRIMARY KEY (entity_seq, ts)) WITHOUT ROWID');
    insert = new MultiRowInsert(db, { head: 'INSERT INTO telemetry (entity_seq, ts, kv)', columns: 3, tail: 'ON CONFLICT (entity_seq, ts) DO NOTHING' });
  }
  return {
    async write(first: number): Promise<void> {
      db.transaction(() => {
        const rows = new RowBuffer(insert);
        const v: SQLInputValue[] = rows.values;
        if (layout === 'row-per-point') {
          for (const p of points(first)) {
            v.push(p.entity, p.key, p.ts, p.dbl === null ? 'long' : 'double', null, p.long, p.dbl, null, null);
            rows.endRow();
          }
        } else if (layout === 'row-per-point-1-value') {
          for (const p of points(first)) {
            v.push(p.entity, p.key, p.ts, p.dbl === null ? 2 : 1, p.dbl ?? p.long);
            rows.endRow();
          }
        } else {
          for (const p of packed(first)) {
            v.push(p.entity, p.ts, p.values);
            rows.endRow();
          }
        }
        rows.flush();
      });
    },
    async count(): Promise<number> {
      const rows = (db.prepare('SELECT count(*) AS n FROM telemetry').get() as { n: number }).n;
      return layout === 'row-per-message' ? rows * KEYS.length : rows;
    },
    backendCpuMs: async () => 0,
    async close(): Promise<void> {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(layout: Layout): Promise<LayoutRun> {
  const bench = await createBenchSchema(values['postgres-url'], 'cb_telemetry_layouts');
  const client = new pg.Client({ connectionString: bench.url, options: `-c search_path=${bench.schema}` });
  await client.connect();
  if (layout === 'row-per-point') {
    await client.query(`CREATE TABLE telemetry (entity_seq BIGINT NOT NULL, key TEXT COLLATE "C" NOT NULL, ts BIGINT NOT NULL, value_type TEXT NOT NULL,
      bool_v BOOLEAN, long_v BIGINT, dbl_v DOUBLE PRECISION, str_v TEXT, json_v TEXT, PRIMARY KEY (entity_seq, key, ts))`);
  } else {
    await client.query('CREATE TABLE telemetry (entity_seq BIGINT NOT NULL, ts BIGINT NOT NULL, kv TEXT NOT NULL, PRIMARY KEY (entity_seq, ts))');
  }
  return {
    async write(first: number): Promise<void> {
      await client.query('BEGIN');
      if (layout === 'row-per-point') {
        const ps = points(first);
        await client.query(`INSERT INTO telemetry (entity_seq, key, ts, value_type, long_v, dbl_v)
          SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::float8[])
          ON CONFLICT (entity_seq, key, ts) DO NOTHING`, [ps.map((p) => p.entity), ps.map((p) => KEYS[p.key - 1]), ps.map((p) => p.ts),
          ps.map((p) => (p.dbl === null ? 'long' : 'double')), ps.map((p) => p.long), ps.map((p) => p.dbl)]);
      } else {
        const ps = packed(first);
        await client.query(`INSERT INTO telemetry (entity_seq, ts, kv) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])
          ON CONFLICT (entity_seq, ts) DO NOTHING`, [ps.map((p) => p.entity), ps.map((p) => p.ts), ps.map((p) => p.values)]);
      }
      await client.query('COMMIT');
    },
    async count(): Promise<number> {
      const n = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM telemetry')).rows[0]?.n ?? 0);
      return layout === 'row-per-point' ? n : n * KEYS.length;
    },
    backendCpuMs: () => bench.backendCpuMs(),
    async close(): Promise<void> {
      await client.end();
      await bench.drop();
    },
  };
}

console.log(`telemetry layouts on ${values.store}: ${BATCH}-message commits, ${KEYS.length} points per message, ${devices} devices, `
  + `${batches} commits measured, CPU ms per commit${values.store === 'postgres' ? ' (this process + database backend)' : ''}`);
console.log('layout                  points stored   cpu ms/commit');
for (const layout of LAYOUTS) {
  // PostgreSQL has no column without a type: the one-value layout is SQLite's.
  if (values.store === 'postgres' && layout === 'row-per-point-1-value') continue;
  const run = values.store === 'postgres' ? await openPostgres(layout) : openSqlite(layout);
  let next = 0;
  try {
    for (const phase of ['empty', 'filled']) {
      if (phase === 'filled') {
        while ((await run.count()) < fillPoints) {
          await run.write(next);
          next += BATCH;
        }
      }
      const stored = await run.count();
      const backendBefore = await run.backendCpuMs();
      const cpu = process.cpuUsage();
      for (let b = 0; b < batches; b++) {
        await run.write(next);
        next += BATCH;
      }
      const used = process.cpuUsage(cpu);
      const backend = (await run.backendCpuMs() - backendBefore) / batches;
      const own = (used.user + used.system) / 1000 / batches;
      const shown = values.store === 'postgres' ? `${own.toFixed(1)}+${backend.toFixed(1)}` : own.toFixed(1);
      console.log(`${layout.padEnd(22)}  ${String(stored).padStart(13)}   ${shown.padStart(13)}`);
    }
  } finally {
    await run.close();
  }
}

/** The dedupe layouts on PostgreSQL: a schema of their own, keys written as the store writes them (one unnest statement). */
import pg from 'pg';
import { createBenchSchema } from '../postgres-schema.ts';
import { PreviousGenerationFilter } from './bloom.ts';
import { digest16, digest64 } from './keys.ts';
import { isGenerational, type LayoutBench, type RecordMode } from './layouts.ts';

const INTEGRATION_ID = '6f1c2a9e-3b7d-4e5f-8a1b-2c3d4e5f6a7b';

interface Shape {
  create: (t: string) => string;
  /** Key columns, and the unnest of the key arrays ($1: one array per key column). */
  columns: string;
  unnest: string;
  /** The key arrays of a commit. */
  params: (keys: string[]) => unknown[];
  timed: boolean;
}

const sortedKeys = (keys: string[]): string[] => [...keys].sort();

const SHAPES: Record<string, Shape> = {
  'hash32+time-index': {
    create: (t) => `CREATE TABLE ${t} (integration_id TEXT COLLATE "C" NOT NULL, source_key TEXT COLLATE "C" NOT NULL,
      committed_at BIGINT NOT NULL, PRIMARY KEY (integration_id, source_key)); CREATE INDEX ${t}_committed_at ON ${t} (committed_at)`,
    columns: 'integration_id, source_key', unnest: `SELECT '${INTEGRATION_ID}', k FROM unnest($1::text[]) AS k`,
    params: (keys) => [sortedKeys(keys)], timed: true,
  },
  hash32: {
    create: (t) => `CREATE TABLE ${t} (integration_id TEXT COLLATE "C" NOT NULL, source_key TEXT COLLATE "C" NOT NULL,
      PRIMARY KEY (integration_id, source_key))`,
    columns: 'integration_id, source_key', unnest: `SELECT '${INTEGRATION_ID}', k FROM unnest($1::text[]) AS k`,
    params: (keys) => [sortedKeys(keys)], timed: false,
  },
  digest16: {
    create: (t) => `CREATE TABLE ${t} (digest BYTEA PRIMARY KEY)`,
    columns: 'digest', unnest: 'SELECT k FROM unnest($1::bytea[]) AS k',
    params: (keys) => [keys.map(digest16).sort(Buffer.compare)], timed: false,
  },
  'digest16+filter': {
    create: (t) => `CREATE TABLE ${t} (digest BYTEA PRIMARY KEY)`,
    columns: 'digest', unnest: 'SELECT k FROM unnest($1::bytea[]) AS k',
    params: (keys) => [keys.map(digest16).sort(Buffer.compare)], timed: false,
  },
  'digest16+time-index': {
    create: (t) => `CREATE TABLE ${t} (digest BYTEA PRIMARY KEY, committed_at BIGINT NOT NULL); CREATE INDEX ${t}_committed_at ON ${t} (committed_at)`,
    columns: 'digest', unnest: 'SELECT k FROM unnest($1::bytea[]) AS k',
    params: (keys) => [keys.map(digest16).sort(Buffer.compare)], timed: true,
  },
  int64: {
    create: (t) => `CREATE TABLE ${t} (digest BIGINT PRIMARY KEY)`,
    columns: 'digest', unnest: 'SELECT k FROM unnest($1::bigint[]) AS k',
    params: (keys) => [keys.map((k) => digest64(k).toString()).sort()], timed: false,
  },
  log16: {
    create: (t) => `CREATE TABLE ${t} (digest BYTEA NOT NULL)`,
    columns: 'digest', unnest: 'SELECT k FROM unnest($1::bytea[]) AS k',
    params: (keys) => [keys.map(digest16)], timed: false,
  },
};

export async function openPostgresBench(layout: string, serverUrl: string): Promise<LayoutBench> {
  const shape = SHAPES[layout];
  if (shape === undefined) throw new Error(`unknown layout ${layout}`);
  const bench = await createBenchSchema(serverUrl, 'cb_dedupe_layouts');
  const client = new pg.Client({ connectionString: bench.url, options: `-c search_path=${bench.schema}` });
  await client.connect();
  const generational = isGenerational(layout);
  let current = 'g1';
  let previous: string | null = null;
  let commit = 0;
  const filter = new PreviousGenerationFilter(layout);
  await client.query(shape.create(current));
  const keyColumn = shape.columns.split(', ').at(-1) ?? '';
  const count = async (t: string): Promise<number> => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]?.n ?? 0);

  return {
    async record(keys: string[], mode: RecordMode): Promise<void> {
      commit++;
      const params = shape.params(keys);
      filter.note(params[0] as Uint8Array[]);
      const head = `INSERT INTO ${current} (${shape.columns}${shape.timed ? ', committed_at' : ''}) SELECT *${shape.timed ? `, ${commit}` : ''} FROM (${shape.unnest}) AS r`;
      await client.query('BEGIN');
      if (layout === 'log16') await client.query(head, params);
      else if (mode === 'record-only') {
        await client.query(`${head} ON CONFLICT (${shape.columns}) DO ${shape.timed ? 'UPDATE SET committed_at = excluded.committed_at' : 'NOTHING'}`, params);
      } else {
        // The claim: the keys it returns are new here; the previous generation may still hold them.
        const claimed = await client.query(`${head} ON CONFLICT (${shape.columns}) DO NOTHING RETURNING ${keyColumn}`, params);
        const unsure = claimed.rows.map((r: Record<string, unknown>) => r[keyColumn]).filter((k) => filter.mayHold(k as Uint8Array));
        if (previous !== null && unsure.length > 0) {
          const type = layout === 'int64' ? 'bigint' : layout === 'hash32' ? 'text' : 'bytea';
          const sameIntegration = layout === 'hash32' ? `p.integration_id = '${INTEGRATION_ID}' AND ` : '';
          await client.query(`SELECT p.${keyColumn} FROM unnest($1::${type}[]) AS c (k) JOIN ${previous} p ON ${sameIntegration}p.${keyColumn} = c.k`, [unsure]);
        }
      }
      await client.query('COMMIT');
    },
    async count(): Promise<number> {
      return (await count(current)) + (previous === null ? 0 : await count(previous));
    },
    async rotate(): Promise<void> {
      if (!generational) return;
      previous = current;
      current = 'g2';
      filter.rotate();
      await client.query(shape.create(current));
    },
    async pruneAll(): Promise<number> {
      if (generational) {
        if (previous === null) return 0;
        const n = await count(previous);
        await client.query(`DROP TABLE ${previous}`);
        previous = null;
        return n;
      }
      if (!shape.timed) return 0;
      const total = await count(current);
      const cutoff = (await client.query<{ c: string }>(`SELECT committed_at AS c FROM ${current} ORDER BY committed_at LIMIT 1 OFFSET $1`, [Math.floor(total / 100)])).rows[0]?.c;
      let removed = 0;
      // As the store prunes: chunks of 10 000 keys, each its own statement.
      for (;;) {
        const n = (await client.query(`DELETE FROM ${current} WHERE ctid = ANY (ARRAY(
          SELECT ctid FROM ${current} WHERE committed_at < $1 LIMIT 10000))`, [cutoff])).rowCount ?? 0;
        removed += n;
        if (n < 10_000) break;
      }
      // The deleted rows' index entries and space are only reclaimed by VACUUM: part of the cost.
      await client.query(`VACUUM ${current}`);
      return removed;
    },
    backendCpuMs: () => bench.backendCpuMs(),
    async close(): Promise<void> {
      await client.end();
      await bench.drop();
    },
  };
}

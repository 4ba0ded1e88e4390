/**
 * A PostgreSQL schema of a bench's own, on a local server: created empty, dropped at the end, and
 * the CPU its connections' backends used (from /proc, so the server must run on this machine).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

const CLOCK_TICK_MS = 10;

export interface BenchSchema {
  schema: string;
  /** The URL for the bench's own connections: its application_name marks their backends. */
  url: string;
  /** CPU ms used so far by the backends of connections opened with `url`. */
  backendCpuMs(): Promise<number>;
  drop(): Promise<void>;
}

/** One statement on a connection of its own (not one of the bench's). */
async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function createBenchSchema(serverUrl: string, name: string): Promise<BenchSchema> {
  const schema = `${name}_${process.pid}`;
  const application = `${name.replaceAll('_', '-')}-${process.pid}`;
  const url = new URL(serverUrl);
  url.searchParams.set('application_name', application);
  await query(serverUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await query(serverUrl, `CREATE SCHEMA ${schema}`);
  return {
    schema,
    url: url.toString(),
    async backendCpuMs(): Promise<number> {
      const rows = await query<{ pid: number }>(serverUrl, 'SELECT pid FROM pg_stat_activity WHERE application_name = $1', [application]);
      let ticks = 0;
      for (const { pid } of rows) {
        // After the command's closing parenthesis: utime and stime are fields 14 and 15 of the line.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
      }
      return ticks * CLOCK_TICK_MS;
    },
    drop: async () => {
      await query(serverUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

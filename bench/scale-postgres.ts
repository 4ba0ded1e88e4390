/**
 * The PostgreSQL database the instances of one scale-out round share: created fresh for the round
 * (dropped first, with its connections), counted through the store (whatever its table layout),
 * dropped afterwards.
 * CLOUDBRIDGE_BENCH_POSTGRES_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres,
 * a user that may create databases); the round's database replaces its path.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { openStore } from '../src/store/index.ts';

export const POSTGRES_SERVER = process.env.CLOUDBRIDGE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(server: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const PREFIX = 'cloudbridge_bench_scale_';

/** `cloudbridge_bench_scale_<pid>`: runs side by side do not share one. */
export function roundDatabaseName(): string {
  return `${PREFIX}${process.pid}`;
}

/** Drops the round databases of runs that are no longer running (killed before they could). */
export async function dropStaleDatabases(server = POSTGRES_SERVER): Promise<void> {
  await onServer(server, async (c) => {
    const names = (await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PREFIX}%`])).rows.map((r) => r.datname);
    for (const name of names) {
      const pid = Number(name.slice(PREFIX.length));
      if (Number.isInteger(pid) && pid !== process.pid && !existsSync(`/proc/${pid}`)) await c.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`);
    }
  });
}

export interface RoundDatabase {
  /** The connection URL the instances get. */
  readonly url: string;
  /** Telemetry points stored (every instance's together). */
  countTelemetry(): Promise<number>;
  drop(): Promise<void>;
}

/** Drops `name` if it exists (closing its connections) and creates it empty. */
export async function freshDatabase(name: string, server = POSTGRES_SERVER): Promise<RoundDatabase> {
  await onServer(server, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoted(name)}`);
  });
  const url = withDatabase(server, name);
  return {
    url,
    async countTelemetry() {
      const store = await openStore({ postgres: { url } });
      try {
        return await store.countTelemetry();
      } finally {
        await store.close();
      }
    },
    drop: () => onServer(server, async (c) => { await c.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`); }),
  };
}

/**
 * The PostgreSQL server of the store tests: CLOUDBRIDGE_TEST_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test), `unreachable` saying why when it cannot be reached.
 * Every store gets its own new schema, dropped when the test file ends.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, type TestContext } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/types.ts';

export const URL_ = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const admin = new pg.Pool({ connectionString: URL_, max: 2, connectionTimeoutMillis: 5000 });
admin.on('error', () => undefined);
export const unreachable = await admin.query('SELECT 1').then(() => null, (err: unknown) => (err as Error).message);

const schemas: string[] = [];
/** Of this file's schemas (and of other names a test wants unique). */
export const prefix = `cb_test_${process.pid}_${randomBytes(3).toString('hex')}`;

after(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

export async function newSchema(): Promise<string> {
  const schema = `${prefix}_${schemas.length + 1}`;
  schemas.push(schema);
  await admin.query(`CREATE SCHEMA ${schema}`);
  return schema;
}

export function schemaOf(store: Store): string {
  assert.ok(store instanceof PostgresStore && store.schema !== undefined);
  return store.schema;
}

export async function openOn(schema: string): Promise<PostgresStore> {
  const store = new PostgresStore({ url: URL_, schema, maxConnections: 4 });
  // A store that cannot migrate is closed, so the test file can end.
  await store.migrate().catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  return store;
}

export async function open(t: TestContext, schema: string): Promise<PostgresStore> {
  const store = await openOn(schema);
  t.after(() => store.close());
  return store;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

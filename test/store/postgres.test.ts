/**
 * The store contract against a real PostgreSQL server, plus PostgreSQL-only behaviour: concurrent
 * commits from two instances (competing consumers), concurrent migrations, openStore wiring.
 * Every `open()` uses its own new schema, dropped when the file ends. The server is taken from
 * CLOUDBRIDGE_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); the file is
 * skipped, saying why, only when that server cannot be reached.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/index.ts';
import { loadPostgresMigrations } from '../../src/store/postgres/migrate.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/types.ts';
import { storeContract } from './contract.ts';
import { T0, batch, dbl, long, record, rejectsWithCode, stored } from './contract/fixtures.ts';

const URL_ = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: URL_, max: 2, connectionTimeoutMillis: 5000 });
admin.on('error', () => undefined);
const unreachable = await admin.query('SELECT 1').then(() => null, (err: unknown) => (err as Error).message);

const schemas: string[] = [];
const prefix = `cb_test_${process.pid}_${randomBytes(3).toString('hex')}`;

after(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

async function newSchema(): Promise<string> {
  const schema = `${prefix}_${schemas.length + 1}`;
  schemas.push(schema);
  await admin.query(`CREATE SCHEMA ${schema}`);
  return schema;
}

function schemaOf(store: Store): string {
  assert.ok(store instanceof PostgresStore && store.schema !== undefined);
  return store.schema;
}

async function openOn(schema: string): Promise<PostgresStore> {
  const store = new PostgresStore({ url: URL_, schema, maxConnections: 4 });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

async function open(t: TestContext, schema: string): Promise<PostgresStore> {
  const store = await openOn(schema);
  t.after(() => store.close());
  return store;
}

/** A free loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

if (unreachable !== null) {
  describe('postgres store', { skip: `PostgreSQL at ${new URL(URL_).host} is unreachable (${unreachable}); set CLOUDBRIDGE_TEST_POSTGRES_URL` }, () => undefined);
} else {
  storeContract('postgres', async () => openOn(await newSchema()), (closed) => openOn(schemaOf(closed)));

  describe('postgres store specifics', () => {
    it('two instances committing the same message for a new device at once: one stored, one duplicate, one entity', async (t) => {
      const schema = await newSchema();
      const [a, b] = [await open(t, schema), await open(t, schema)];
      for (let round = 0; round < 10; round++) {
        const name = `dev-${round}`;
        const commit = batch([stored(`m-${round}`, [record(name, { points: [[T0 + round, 't', dbl(round)]], attributes: { fw: dbl(1) } })])]);
        const [ra, rb] = await Promise.all([a.commitUplinks(commit), b.commitUplinks(commit)]);
        const statuses = [ra.results[0]?.status, rb.results[0]?.status].sort();
        assert.deepEqual(statuses, ['duplicate', 'stored'], `round ${round}`);
        const winner = ra.results[0]?.status === 'stored' ? ra.results[0] : rb.results[0];
        assert.deepEqual(winner, { status: 'stored', createdEntities: [name] });
        assert.equal((await a.listEntities({ search: name })).total, 1);
        const id = (await b.getEntity('DEVICE', name))?.id ?? '';
        assert.equal(await a.countTelemetry(id), 1);
      }
    });

    it('two instances creating the same new device from different messages at once: both stored, one entity', async (t) => {
      const schema = await newSchema();
      const [a, b] = [await open(t, schema), await open(t, schema)];
      for (let round = 0; round < 10; round++) {
        const name = `shared-${round}`;
        const [ra, rb] = await Promise.all([
          a.commitUplinks(batch([stored(`a-${round}`, [record(name, { points: [[T0, 'a', dbl(1)]] })])])),
          b.commitUplinks(batch([stored(`b-${round}`, [record(name, { points: [[T0, 'b', dbl(2)]] })])])),
        ]);
        const results = [ra.results[0], rb.results[0]];
        assert.ok(results.every((r) => r?.status === 'stored'), `round ${round}`);
        assert.deepEqual(results.flatMap((r) => (r?.status === 'stored' ? r.createdEntities : [])), [name], 'exactly one created it');
        const id = (await a.getEntity('DEVICE', name))?.id ?? '';
        assert.deepEqual(await b.telemetryKeys(id), ['a', 'b']);
      }
      // Each instance's cache knows the device now: it is found with creation forbidden.
      const { results } = await b.commitUplinks(batch([stored('late', [record('shared-0')])], { allowCreateDevices: false }));
      assert.deepEqual(results, [{ status: 'stored', createdEntities: [] }]);
      assert.equal((await a.listEntities({})).total, 10);
    });

    it('two instances storing points without ts for one device in the same millisecond at once keep every point', async (t) => {
      const schema = await newSchema();
      const [a, b] = [await open(t, schema), await open(t, schema)];
      await a.commitUplinks(batch([stored('create', [record('busy')])]));
      const messages = (who: string, round: number) => batch(Array.from({ length: 50 }, (_, i) => stored(`${who}-${round}-${i}`, [
        record('busy', { implicit: [[T0 + round * 1000, 'seq', long(i)], [T0 + round * 1000, who, long(i)]] }),
      ])));
      for (let round = 0; round < 5; round++) {
        const [ra, rb] = await Promise.all([a.commitUplinks(messages('a', round)), b.commitUplinks(messages('b', round))]);
        assert.ok([...ra.results, ...rb.results].every((r) => r.status === 'stored' && r.overwritten === undefined), `round ${round}`);
      }
      const id = (await a.getEntity('DEVICE', 'busy'))?.id ?? '';
      const seq = (await b.queryTelemetry({ entityId: id, keys: ['seq'] })).seq ?? [];
      assert.equal(seq.length, 500, 'every message of both instances kept its point');
      assert.equal(new Set(seq.map((p) => p.ts)).size, 500);
      assert.equal(await a.countTelemetry(id), 1000);
    });

    it('two instances replacing one stored point with different values at once: both replacements are counted', async (t) => {
      const schema = await newSchema();
      const [a, b] = [await open(t, schema), await open(t, schema)];
      for (let round = 0; round < 5; round++) {
        const ts = T0 + round;
        await a.commitUplinks(batch([stored(`first-${round}`, [record('dev', { points: [[ts, 't', dbl(0)]] })])]));
        const [ra, rb] = await Promise.all([
          a.commitUplinks(batch([stored(`a-${round}`, [record('dev', { points: [[ts, 't', dbl(1)]] })])])),
          b.commitUplinks(batch([stored(`b-${round}`, [record('dev', { points: [[ts, 't', dbl(2)]] })])])),
        ]);
        const counts = [ra.results[0], rb.results[0]].map((r) => (r?.status === 'stored' ? r.overwritten ?? 0 : -1));
        assert.deepEqual(counts, [1, 1], `round ${round}: each replaced a different value (0 → one, then one → the other)`);
      }
    });

    it('instances migrating one schema at once apply each migration once; a newer schema is refused', async () => {
      const schema = await newSchema();
      const stores = [0, 1, 2].map(() => new PostgresStore({ url: URL_, schema, maxConnections: 2 }));
      try {
        await Promise.all(stores.map((s) => s.migrate()));
        await stores[0]?.migrate();
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
      const { rows } = await admin.query(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`);
      assert.deepEqual(rows.map((r: { version: number; name: string }) => ({ version: r.version, name: r.name })),
        loadPostgresMigrations().map((m) => ({ version: m.version, name: m.name })));

      await admin.query(`INSERT INTO ${schema}.schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`);
      await rejectsWithCode(openOn(schema), 'CONFIG_INVALID', 'schema version 999');
    });

    it('openStore({ postgres }) opens a migrated store; bad or unreachable servers are reported', async () => {
      const schema = await newSchema();
      const url = new URL(URL_);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const store = await openStore({ postgres: { url: url.toString() } });
      try {
        assert.equal(store.kind, 'postgres');
        await store.commitUplinks(batch([stored('m1', [record('dev-1', { points: [[T0, 't', dbl(1)]] })])]));
        assert.equal(await store.countTelemetry(), 1);
      } finally {
        await store.close();
      }
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.telemetry`);
      assert.equal(rows[0]?.n, 1, 'the tables were created in the schema the URL names');

      await rejectsWithCode(openStore({ postgres: { url: 'not a url' } }), 'CONFIG_INVALID', 'postgres.url');
      await rejectsWithCode(openStore({ postgres: { url: 'mysql://localhost/cb' } }), 'CONFIG_INVALID', 'postgres://');
      const missingDb = new URL(URL_);
      missingDb.pathname = `/${prefix}_no_such_db`;
      await rejectsWithCode(openStore({ postgres: { url: missingDb.toString() } }), 'CONFIG_INVALID', 'does not exist');
      const port = await closedPort();
      await rejectsWithCode(openStore({ postgres: { url: `postgres://cb:secret-pw@127.0.0.1:${port}/cb` } }), 'STORE_UNAVAILABLE', `127.0.0.1:${port}`);
      await assert.rejects(openStore({ postgres: { url: `postgres://cb:secret-pw@127.0.0.1:${port}/cb` } }), (err: Error) => !err.message.includes('secret-pw'));
    });
  });
}

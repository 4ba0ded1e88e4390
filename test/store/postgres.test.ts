/**
 * PostgreSQL-only store behaviour against a real server: concurrent commits from two instances
 * (competing consumers), leases raced by two instances, concurrent migrations, openStore wiring
 * (the store contract on PostgreSQL is postgres-contract.test.ts).
 * Every `open()` uses its own new schema, dropped when the file ends. The server is taken from
 * CLOUDBRIDGE_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); the file is
 * skipped, saying why, only when that server cannot be reached.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { openStore } from '../../src/store/index.ts';
import type { CommitCheckpoint } from '../../src/core/partitions.ts';
import { dedupeDigest } from '../../src/store/dedupe-digest.ts';
import { PostgresDatabase } from '../../src/store/postgres/database.ts';
import { loadPostgresMigrations, migratePostgres } from '../../src/store/postgres/migrate.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { URL_, admin, newSchema, open, openOn, prefix, sleep, unreachable } from './postgres-harness.ts';
import { INTEGRATION, T0, batch, commitStatuses, dbl, long, record, rejectsWithCode, stored } from './contract/fixtures.ts';

/** Messages `first..first+count-1` of a partition, one point each on `device`, without dedupe key. */
function partitionBatch(partition: string, first: number, count: number, device: string, lease: CommitCheckpoint['lease']) {
  const items = Array.from({ length: count }, (_, i) => stored(`${partition}-${first + i}`,
    [record(device, { points: [[T0 + first + i, 'seq', long(first + i)]] })], { dedupe: 'none' }));
  return batch(items, { checkpoints: [{ partition, position: String(first + count - 1), lease }] });
}

/**
 * Starts a transaction on `blocker` that holds the dedupe key `key` of INTEGRATION in the current
 * generation of the schema, uncommitted: a commit claiming that key waits for it. Returns the
 * blocker's backend pid.
 */
async function holdDedupeKey(blocker: pg.PoolClient, schema: string, key: string): Promise<number | undefined> {
  await blocker.query('BEGIN');
  const current = (await blocker.query<{ slot: number }>(`SELECT slot FROM ${schema}.dedupe_generations ORDER BY started_at DESC LIMIT 1`)).rows[0]?.slot;
  await blocker.query(`INSERT INTO ${schema}.dedupe_keys_${current} (digest, integration_id) VALUES ($1, $2)`, [dedupeDigest(INTEGRATION, key), INTEGRATION]);
  return (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
}

/** The backend that waits for a lock `pid` holds, once there is one (up to 5 s); undefined if none. */
async function blockedBy(pid: number | undefined): Promise<number | undefined> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [pid]);
    if (rows[0] !== undefined) return rows[0].pid;
    await sleep(10);
  }
  return undefined;
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
  describe('postgres store specifics', { skip: `PostgreSQL at ${new URL(URL_).host} is unreachable (${unreachable}); set CLOUDBRIDGE_TEST_POSTGRES_URL` }, () => undefined);
} else {
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

    it('two instances claiming one lease with the same expected token: exactly one wins each round', async (t) => {
      const schema = await newSchema();
      const [a, b] = [await open(t, schema), await open(t, schema)];
      for (let round = 0; round < 20; round++) {
        const [ra, rb] = await Promise.all([
          a.claimLease(INTEGRATION, 'shard-0', 'instance-a', round, 60_000), b.claimLease(INTEGRATION, 'shard-0', 'instance-b', round, 60_000),
        ]);
        const winners = [ra, rb].filter((r) => r !== null);
        assert.equal(winners.length, 1, `round ${round}`);
        assert.equal(winners[0]?.token, round + 1);
      }
      // Renewals and checkpoints of both, at once: only the current owner's pass.
      const [lease] = await a.listLeases(INTEGRATION);
      assert.ok(lease?.owner);
      const current = { owner: lease.owner, token: lease.token };
      const stale = { owner: lease.owner === 'instance-a' ? 'instance-b' : 'instance-a', token: lease.token - 1 };
      const results = await Promise.all([
        a.renewLease(INTEGRATION, 'shard-0', current, 60_000), b.renewLease(INTEGRATION, 'shard-0', stale, 60_000),
        a.writeCheckpoint(INTEGRATION, 'shard-0', stale, 'stale'), b.writeCheckpoint(INTEGRATION, 'shard-0', current, 'current'),
      ]);
      assert.deepEqual(results.map((r) => r !== null && r !== false), [true, false, false, true]);
      assert.equal((await b.listLeases(INTEGRATION))[0]?.checkpoint, 'current');
    });

    it('an owner committing while another instance steals its lease: the claim returns the position of exactly the data stored, later commits fail with LEASE_LOST', async (t) => {
      const schema = await newSchema();
      const [a, b] = [await open(t, schema), await open(t, schema)];
      for (let round = 0; round < 5; round++) {
        const partition = `shard-${round}`;
        const device = `dev-${round}`;
        const claimed = await a.claimLease(INTEGRATION, partition, 'instance-a', 0, 60_000);
        assert.ok(claimed);
        const lease = { owner: 'instance-a', token: claimed.token };
        let next = 0;
        let stored = 0;
        let lost: unknown = null;
        const writer = (async () => {
          while (lost === null) {
            const first = next;
            next += 10;
            try {
              await a.commitUplinks(partitionBatch(partition, first, 10, device, lease));
              stored = first + 10;
            } catch (err) {
              lost = err;
            }
          }
        })();
        while (stored < 30 && lost === null) await sleep(2);
        await sleep(round * 7);
        const stolen = await b.claimLease(INTEGRATION, partition, 'instance-b', lease.token, 60_000);
        await writer;
        assert.equal((lost as { code?: string } | null)?.code, 'LEASE_LOST', String(lost));
        assert.ok(stolen, 'the steal succeeded');
        const id = (await b.getEntity('DEVICE', device))?.id ?? '';
        assert.equal(await b.countTelemetry(id), stored, `round ${round}: the commits that succeeded are stored, no other`);
        assert.equal(stolen.checkpoint, String(stored - 1), `round ${round}: the new owner resumes right after the stored data`);
        assert.equal((await a.listLeases(INTEGRATION)).find((l) => l.partition === partition)?.checkpoint, String(stored - 1));
      }
    });

    it('a commit whose connection dies after writing its checkpoint, before COMMIT, leaves neither its data nor its position', async (t) => {
      const schema = await newSchema();
      const store = await open(t, schema);
      const claimed = await store.claimLease(INTEGRATION, 'shard-0', 'instance-a', 0, 60_000);
      assert.ok(claimed);
      const lease = { owner: 'instance-a', token: claimed.token };
      await store.commitUplinks(partitionBatch('shard-0', 1, 2, 'dev', lease));

      const blocker = await admin.connect();
      try {
        // Another transaction holds a dedupe key the commit needs after its checkpoint write.
        const blockerPid = await holdDedupeKey(blocker, schema, 'held');
        const commit = partitionBatch('shard-0', 3, 2, 'dev', lease);
        commit.items.push(stored('held', [record('dev', { points: [[T0 + 99, 'seq', long(99)]] })]));
        // Its outcome is taken at once: it may fail before the test gets to look at it.
        const committing = store.commitUplinks(commit).then(() => null, (err: unknown) => err);
        const victim = await blockedBy(blockerPid);
        assert.ok(victim !== undefined, 'the commit waits for the held key');
        // It has updated the lease row (locked until its COMMIT) ...
        await assert.rejects(admin.query(`SELECT 1 FROM ${schema}.partition_leases FOR UPDATE NOWAIT`), /could not obtain lock/);
        // ... and dies before COMMIT.
        await admin.query('SELECT pg_terminate_backend($1)', [victim]);
        assert.equal((await committing as { code?: string } | null)?.code, 'STORE_UNAVAILABLE');
        await blocker.query('ROLLBACK');
      } finally {
        blocker.release();
      }
      assert.equal((await store.listLeases(INTEGRATION))[0]?.checkpoint, '2');
      assert.equal(await store.countTelemetry(), 2);
      await store.commitUplinks(partitionBatch('shard-0', 3, 2, 'dev', lease));
      assert.equal((await store.listLeases(INTEGRATION))[0]?.checkpoint, '4');
      assert.equal(await store.countTelemetry(), 4);
    });

    it('migration 003 turns the checkpoints of the old table into unowned leases that keep their position', async (t) => {
      const schema = await newSchema();
      const db = new PostgresDatabase({ url: URL_, schema, maxConnections: 2 });
      try {
        await migratePostgres(db, loadPostgresMigrations().filter((m) => m.version < 3));
      } finally {
        await db.close();
      }
      await admin.query(`INSERT INTO ${schema}.checkpoints (integration_id, partition, value, updated_at) VALUES ('int-a', 'shard-0', '42', 1), ('int-b', 'p1', 'x', 2)`);
      const store = await open(t, schema);
      assert.deepEqual(await store.listLeases('int-a'), [{ partition: 'shard-0', owner: null, token: 0, expiresAt: 0, checkpoint: '42', meta: {} }]);
      assert.equal((await store.claimLease('int-b', 'p1', 'instance-a', 0, 1000))?.checkpoint, 'x');
      assert.equal((await admin.query(`SELECT to_regclass('${schema}.checkpoints') AS t`)).rows[0]?.t, null);
    });

    it('migration 004 turns the old dedupe keys into the digests the store computes: their redeliveries stay duplicates', async (t) => {
      const schema = await newSchema();
      const db = new PostgresDatabase({ url: URL_, schema, maxConnections: 2 });
      try {
        await migratePostgres(db, loadPostgresMigrations().filter((m) => m.version < 4));
      } finally {
        await db.close();
      }
      const hash = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
      await admin.query(`INSERT INTO ${schema}.dedupe_keys (integration_id, source_key, committed_at) VALUES
        ($1, $2, 10), ($1, 'shard-1/0042', 11), ($1, 'żółw', 12), ('other', $2, 13)`, [INTEGRATION, hash]);
      const store = await open(t, schema);
      const again = (key: string) => stored(key, [record('dev', { points: [[T0, 't', dbl(1)]] })]);
      assert.deepEqual(await commitStatuses(store, batch([again(hash), again('shard-1/0042'), again('żółw'), again('ŻÓŁW')])),
        ['duplicate', 'duplicate', 'duplicate', 'stored']);
      assert.deepEqual(await commitStatuses(store, batch([again(hash)], { integrationId: 'other' })), ['duplicate']);
      // The old keys are the previous generation, the current one started after the newest of them.
      assert.equal(await store.pruneDedupeKeys(14), 4);
      assert.deepEqual(await commitStatuses(store, batch([again(hash)], { integrationId: 'other' })), ['stored']);
    });

    it('a prune waits for a commit that holds the generations, and a key it committed is still found after they turned', async (t) => {
      const schema = await newSchema();
      const [a, b] = [await open(t, schema), await open(t, schema)];
      await a.commitUplinks(batch([stored('first', [record('dev', { points: [[T0, 't', dbl(0)]] })])]));
      const blocker = await admin.connect();
      try {
        // Another transaction holds a key of the commit: the commit waits inside its transaction,
        // with the generations locked.
        const blockerPid = await holdDedupeKey(blocker, schema, 'held');
        const committing = a.commitUplinks(batch([
          stored('k1', [record('dev', { points: [[T0 + 1, 't', dbl(1)]] })]),
          stored('held', [record('dev', { points: [[T0 + 2, 't', dbl(2)]] })]),
        ]));
        const commitPid = await blockedBy(blockerPid);
        assert.ok(commitPid !== undefined, 'the commit waits for the held key');
        // The cutoff is after every key: the prune turns the generations, once the commit is done.
        let pruned: number | null = null;
        const pruning = b.pruneDedupeKeys(Date.now()).then((n) => { pruned = n; });
        assert.ok(await blockedBy(commitPid) !== undefined, 'the prune waits for the commit');
        assert.equal(pruned, null);
        await blocker.query('ROLLBACK');
        assert.deepEqual((await committing).results.map((r) => r.status), ['stored', 'stored']);
        await pruning;
        assert.equal(pruned, 0, 'the previous generation was empty');
      } finally {
        blocker.release();
      }
      // Both keys went to the generation that is the previous one now: still found, by either instance.
      assert.deepEqual(await commitStatuses(b, batch(['first', 'k1', 'held'].map((k) => stored(k, [record('dev')])))), ['duplicate', 'duplicate', 'duplicate']);
      assert.equal(await a.pruneDedupeKeys(Date.now()), 3);
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

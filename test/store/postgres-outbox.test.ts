/**
 * PostgreSQL only: a forwarder's outbox rows become visible in seq order although several
 * transactions insert at once (ADR 017). A transaction holding outbox rows uncommitted makes a
 * second commit for the same forwarder wait; without that, the second one's higher seq would be
 * read first and the reader would move past the first one's rows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PostgresDatabase } from '../../src/store/postgres/database.ts';
import { PostgresDeadLetters } from '../../src/store/postgres/dead-letters.ts';
import { PostgresOutbox } from '../../src/store/postgres/outbox.ts';
import { T0, batch, dbl, record, stored } from './contract/fixtures.ts';
import { URL_, admin, newSchema, open, sleep, unreachable } from './postgres-harness.ts';

/** Waits (up to 5 s) until a backend waits for the lock of `forwarder`'s outbox in `schema`; true when one does. */
async function lockWaiter(schema: string, forwarder: string): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
      AND objid::text::bigint = (hashtext('cloudbridge.outbox:' || $1::text || ':' || $2::text)::bigint & 4294967295)`, [schema, forwarder]);
    if ((rows[0]?.n ?? 0) > 0) return true;
    await sleep(10);
  }
  return false;
}

if (unreachable !== null) {
  describe('postgres outbox', { skip: `PostgreSQL is unreachable (${unreachable})` }, () => undefined);
} else {
  describe('postgres outbox: visibility in seq order', () => {
    it('a commit for a forwarder waits while another transaction holds rows of that forwarder; other forwarders do not wait', async (t) => {
      const schema = await newSchema();
      const store = await open(t, schema);
      const db = new PostgresDatabase({ url: URL_, schema, maxConnections: 2 });
      t.after(() => db.close());
      const outbox = new PostgresOutbox({ db, deadLetters: new PostgresDeadLetters(db) });

      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => { release = resolve; });
      let inserted = (): void => undefined;
      const insertedP = new Promise<void>((resolve) => { inserted = resolve; });
      const first = db.transaction(async (sql) => {
        await outbox.insert(sql, [{ forwarder: 'tb', integrationId: 'int-a', deviceName: 'early', deviceType: 'default', entryJson: '{"kind":"rpc-reply","id":1,"data":null}' }], Date.now());
        inserted();
        await held;
      });
      await insertedP;

      const second = store.commitUplinks(batch([stored('m1', [record('late', { points: [[T0, 't', dbl(1)]] })])], { forward: ['tb'] }));
      try {
        assert.ok(await lockWaiter(schema, 'tb'), 'the second commit waits for the forwarder\'s lock');
        assert.deepEqual(await store.readOutbox('tb', 0, 10), [], 'nothing of the second commit is visible before the first commits');
        await store.commitUplinks(batch([stored('m2', [record('other', { points: [[T0, 't', dbl(2)]] })])], { forward: ['edge'] }));
        assert.deepEqual((await store.readOutbox('edge', 0, 10)).map((r) => r.deviceName), ['other'], 'another forwarder commits meanwhile');
      } finally {
        release();
        await first;
        await second;
      }
      const rows = await store.readOutbox('tb', 0, 10);
      assert.deepEqual(rows.map((r) => r.deviceName), ['early', 'late']);
      assert.ok((rows[0]?.seq ?? 0) < (rows[1]?.seq ?? 0));
    });
  });
}

/**
 * The lease store a connector's context gets (ADR 008): bound to its integration, so a connector
 * never names one; the test context's leases are a real SQLite store in memory, shareable between
 * the contexts of several instances.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindLeaseStore } from '../../src/store/leases.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { createTestContext, memoryLeaseStore } from '../support/connector-context.ts';

describe('lease store bound to an integration', () => {
  it('reads and writes only its integration\'s leases, the ones its commits checkpoint', async (t) => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.migrate();
    t.after(() => store.close());
    const one = bindLeaseStore(store, 'int-1');
    const two = bindLeaseStore(store, 'int-2');
    await one.ensure([{ partition: 'shard-0', meta: { parent: 'none' } }, { partition: 'shard-1' }]);
    const lease = await one.claim('shard-0', 'instance-a', 0, 60_000);
    assert.ok(lease);
    const token = { owner: 'instance-a', token: lease.token };
    assert.deepEqual(await two.list(), []);
    assert.equal(await two.claim('shard-0', 'instance-b', 0, 60_000).then((l) => l?.token), 1, 'another integration\'s shard-0 is another lease');

    await store.commitUplinks({
      integrationId: 'int-1', allowCreateDevices: true, items: [],
      checkpoints: [{ partition: 'shard-0', position: '17', lease: token }],
    });
    assert.equal(await one.setMeta('shard-0', token, { finished: 'true' }), true);
    assert.deepEqual((await one.list()).map((l) => [l.partition, l.owner, l.checkpoint, l.meta]), [
      ['shard-0', 'instance-a', '17', { parent: 'none', finished: 'true' }], ['shard-1', null, null, {}],
    ]);
    assert.ok(await one.renew('shard-0', token, 60_000));
    assert.equal(await one.checkpoint('shard-0', token, '18'), true);
    assert.equal(await one.release('shard-0', token), true);
    await one.remove(['shard-1']);
    assert.deepEqual((await one.list()).map((l) => [l.partition, l.owner, l.checkpoint]), [['shard-0', null, '18']]);
    assert.deepEqual((await two.list()).map((l) => [l.partition, l.owner]), [['shard-0', 'instance-b']]);
  });

  it('the test context keeps leases in a real store; contexts of two instances can share one', async () => {
    const alone = createTestContext();
    assert.deepEqual(await alone.leases.list(), []);
    assert.equal((await alone.leases.claim('p0', 'instance-a', 0, 1000))?.token, 1);

    const shared = memoryLeaseStore();
    const a = createTestContext({ leases: shared, integrationId: 'kinesis-1' });
    const b = createTestContext({ leases: shared, integrationId: 'kinesis-1' });
    const other = createTestContext({ leases: shared, integrationId: 'kinesis-2' });
    const la = await a.leases.claim('shard-0', 'instance-a', 0, 60_000);
    assert.ok(la);
    assert.equal(await b.leases.claim('shard-0', 'instance-b', 0, 60_000), null, 'b sees a\'s claim');
    const lb = await b.leases.claim('shard-0', 'instance-b', la.token, 60_000);
    assert.ok(lb);
    assert.equal(await a.leases.checkpoint('shard-0', { owner: 'instance-a', token: la.token }, '5'), false, 'a is fenced out');
    assert.deepEqual((await a.leaseStore.listLeases('kinesis-1')).map((l) => l.owner), ['instance-b']);
    assert.deepEqual(await other.leases.list(), []);
    assert.deepEqual(await createTestContext().leases.list(), [], 'every context has its own store unless given one');
  });
});

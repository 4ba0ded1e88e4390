/** Contract: durability across close and reopen, ping, close. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { StoreHarness } from './fixtures.ts';
import { T0, batch, commitStatuses, dbl, failed, record, stored } from './fixtures.ts';
import { converter, integration } from './config.ts';

export function lifecycleContract(h: StoreHarness): void {
  it('everything committed survives close and reopen', async (t) => {
    const first = await h.open();
    assert.ok(first.kind === 'sqlite' || first.kind === 'postgres');
    await first.saveConverter(converter('conv-up', 'Up'));
    await first.saveIntegration(integration('int-a', 'Line A', { uplinkConverterId: 'conv-up' }));
    await first.commitUplinks(batch([
      stored('m1', [record('dev-1', { points: [[T0, 't', dbl(1)]], attributes: { fw: dbl(2) } })]),
      failed('m2', { stage: 'convert', errorCode: 'CONVERTER_RUNTIME', error: 'boom' }, { payload: new Uint8Array([1, 2, 3]) }),
    ], { events: [{ integrationId: 'int-a', type: 'DEBUG_UPLINK', ts: T0, body: { ok: true } }] }));
    await first.ensureLeases('int-a', [{ partition: 'p0', meta: { parent: 'p-1' } }]);
    const lease = await first.claimLease('int-a', 'p0', 'instance-a', 0, 3_600_000);
    assert.ok(lease);
    await first.writeCheckpoint('int-a', 'p0', { owner: 'instance-a', token: lease.token }, '9');
    await first.setSetting('k', 'v');
    const downlink = await first.enqueueDownlink({ integrationId: 'int-a', deviceName: 'dev-1', msgType: 'RPC', msg: { a: 1 }, metadata: {} });
    await first.close();

    const store = await h.reopen(first);
    t.after(() => store.close());
    assert.equal(await store.ping(), true);
    const dev = await store.getEntity('DEVICE', 'dev-1');
    assert.ok(dev);
    assert.deepEqual(await store.latestTelemetry(dev.id), { t: { ts: T0, value: dbl(1) } });
    assert.deepEqual((await store.listAttributes(dev.id)).map((a) => a.value), [dbl(2)]);
    assert.deepEqual([...((await store.listDeadLetters({})).items[0]?.payload ?? [])], [1, 2, 3]);
    assert.equal((await store.listEvents({})).length, 1);
    assert.equal((await store.getIntegration('Line A'))?.uplinkConverterId, 'conv-up');
    assert.equal((await store.getConverter('conv-up'))?.name, 'Up');
    const [p0] = await store.listLeases('int-a');
    assert.deepEqual(p0 && { ...p0, expiresAt: 0 }, { partition: 'p0', owner: 'instance-a', token: 1, expiresAt: 0, checkpoint: '9', meta: { parent: 'p-1' } });
    assert.ok(p0 && p0.expiresAt > Date.now() + 3_000_000, 'the expiry survives too');
    assert.equal(await store.getSetting('k'), 'v');
    assert.equal((await store.getDownlink(downlink.id))?.status, 'queued');
    // Dedupe keys are durable too, and known devices are found again after the restart.
    assert.deepEqual(await commitStatuses(store, batch([stored('m1', [record('dev-1')]), failed('m2', { stage: 'convert', errorCode: 'X', error: 'x' })])), ['duplicate', 'duplicate']);
    assert.deepEqual(await commitStatuses(store, batch([stored('m3', [record('dev-1', { points: [[T0 + 1, 't', dbl(2)]] })])], { allowCreateDevices: false })), ['stored']);
  });

  it('ping answers true while open and false after close; close is idempotent', async () => {
    const store = await h.open();
    assert.equal(await store.ping(), true);
    await store.close();
    assert.equal(await store.ping(), false);
    await store.close();
    await assert.rejects(store.getSetting('k'));
  });
}

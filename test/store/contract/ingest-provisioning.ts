/** Contract: device provisioning rules, dead letters written by commits, atomicity, events in the commit. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { StoreHarness } from './fixtures.ts';
import { INTEGRATION, T0, batch, commitStatuses, dbl, entityId, failed, freshStore, json, record, stored } from './fixtures.ts';

const reading = (name: string, v = 1) => record(name, { points: [[T0, 't', dbl(v)]] });

export function provisioningContract(h: StoreHarness): void {
  it('creates a missing device once when creation is allowed, even when several items name it', async (t) => {
    const store = await freshStore(t, h);
    const { results } = await store.commitUplinks(batch([
      stored('m1', [reading('new-1')]),
      stored('m2', [record('new-1', { points: [[T0 + 1, 't', dbl(2)]] }), reading('new-2')]),
    ]));
    assert.deepEqual(results, [
      { status: 'stored', createdEntities: ['new-1'] },
      { status: 'stored', createdEntities: ['new-2'] },
    ]);
    assert.equal((await store.listEntities({})).total, 2);
    assert.equal(await store.countTelemetry(await entityId(store, 'new-1')), 2);
  });

  it('dead-letters an item naming a missing device when creation is forbidden, and stores nothing of it', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m0', [reading('known')])]));
    const payload = new Uint8Array([0x7b, 0x00, 0xff, 0x7d]);
    const { results } = await store.commitUplinks(batch([
      stored('m1', [reading('known', 5)]),
      stored('m2', [record('known', { points: [[T0 + 9, 't', dbl(9)]] }), reading('Ghost Sensor')], {
        payload, metadata: { topic: 'ghost' }, receivedAt: T0 + 2,
      }),
    ], { allowCreateDevices: false }));
    assert.equal(results[0]?.status, 'stored');
    assert.deepEqual(results[0], { status: 'stored', createdEntities: [], overwritten: 1 }, 'm1 replaced the value m0 stored at T0');
    const r1 = results[1];
    assert.ok(r1?.status === 'dead-lettered');

    assert.equal(await store.getEntity('DEVICE', 'Ghost Sensor'), null);
    const known = await entityId(store, 'known');
    assert.deepEqual((await store.queryTelemetry({ entityId: known })).t?.map((p) => p.ts), [T0], 'nothing of the dead-lettered item is stored');
    const dl = await store.getDeadLetter(r1.deadLetterId);
    assert.ok(dl);
    assert.equal(dl.stage, 'provision');
    assert.equal(dl.errorCode, 'DEVICE_CREATION_FORBIDDEN');
    assert.match(dl.error, /Ghost Sensor/);
    assert.doesNotMatch(dl.error, /"known"/);
    assert.deepEqual([dl.integrationId, dl.sourceKey, dl.receivedAt, dl.state], [INTEGRATION, 'm2', T0 + 2, 'pending']);
    assert.deepEqual([...dl.payload], [...payload]);
    assert.deepEqual(dl.metadata, { topic: 'ghost' });

    // Its key was recorded: a redelivery is a duplicate, even once creation is allowed.
    assert.deepEqual(await commitStatuses(store, batch([stored('m2', [reading('Ghost Sensor')])])), ['duplicate']);
    assert.equal(await store.getEntity('DEVICE', 'Ghost Sensor'), null);
  });

  it('stores data for existing devices and assets when creation is forbidden', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m0', [reading('dev'), record('site', { kind: 'ASSET' })])]));
    const statuses = await commitStatuses(store, batch([
      stored('m1', [reading('dev', 2), record('site', { kind: 'ASSET', points: [[T0, 'p', dbl(1)]] })]),
      stored('m2', [record('dev', { kind: 'ASSET' })]),
    ], { allowCreateDevices: false }));
    assert.deepEqual(statuses, ['stored', 'dead-lettered']);
    const dl = (await store.listDeadLetters({})).items[0];
    assert.match(dl?.error ?? '', /asset "dev"/i);
  });

  it('stores dead letters given by the pipeline with their payload bytes and metadata', async (t) => {
    const store = await freshStore(t, h);
    const bytes = new Uint8Array(300).map((_, i) => (i * 7) % 256);
    const payload = bytes.subarray(10, 260);
    const { results } = await store.commitUplinks(batch([
      failed('m1', { stage: 'convert', errorCode: 'CONVERTER_RUNTIME', error: 'TypeError: x is undefined' }, {
        payload, metadata: { topic: 'a/b', qos: '1' }, receivedAt: T0 + 5,
      }),
      failed('m2', { stage: 'quarantine', errorCode: 'CONVERTER_QUARANTINED', error: 'quarantined' }),
    ]));
    const first = results[0];
    assert.ok(first?.status === 'dead-lettered');
    const dl = await store.getDeadLetter(first.deadLetterId);
    assert.ok(dl);
    assert.deepEqual({ ...dl, payload: [...dl.payload], createdAt: 0 }, {
      id: first.deadLetterId, integrationId: INTEGRATION, sourceKey: 'm1', stage: 'convert', errorCode: 'CONVERTER_RUNTIME',
      error: 'TypeError: x is undefined', payload: [...payload], metadata: { topic: 'a/b', qos: '1' }, receivedAt: T0 + 5,
      createdAt: 0, state: 'pending', replayCount: 0,
    });
    assert.ok(Math.abs(dl.createdAt - Date.now()) < 60_000);
    assert.equal(await store.countTelemetry(), 0);
  });

  it('a batch that fails half-way leaves no trace, and no phantom device behind', async (t) => {
    const store = await freshStore(t, h);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [json(10n), json(cyclic)]) {
      const commit = batch([
        stored('m1', [record('fresh', { points: [[T0, 't', dbl(1)]], attributes: { a: dbl(1) } })]),
        failed('m2', { stage: 'convert', errorCode: 'CONVERTER_RUNTIME', error: 'boom' }),
        stored('m3', [record('fresh', { points: [[T0 + 1, 'blob', bad]] })]),
      ], { events: [{ integrationId: INTEGRATION, type: 'DEBUG_UPLINK', ts: T0, body: { n: 1 } }] });
      await assert.rejects(store.commitUplinks(commit));
    }

    assert.equal(await store.getEntity('DEVICE', 'fresh'), null);
    assert.equal((await store.listEntities({})).total, 0);
    assert.equal(await store.countTelemetry(), 0);
    assert.equal((await store.listDeadLetters({})).total, 0);
    assert.deepEqual(await store.listEvents({}), []);

    // No phantom in the entity cache: the device is still unknown to the next commit.
    assert.deepEqual(await commitStatuses(store, batch([stored('m4', [reading('fresh')])], { allowCreateDevices: false })), ['dead-lettered']);
    // No dedupe key was recorded: the same messages commit now.
    const { results } = await store.commitUplinks(batch([
      stored('m1', [record('fresh', { points: [[T0, 't', dbl(1)]] })]),
      failed('m2', { stage: 'convert', errorCode: 'CONVERTER_RUNTIME', error: 'boom' }),
    ]));
    assert.deepEqual(results[0], { status: 'stored', createdEntities: ['fresh'] });
    assert.equal(results[1]?.status, 'dead-lettered');
    assert.deepEqual(await store.latestTelemetry(await entityId(store, 'fresh')), { t: { ts: T0, value: dbl(1) } });
  });

  it('writes the commit\'s events in the same transaction', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [reading('dev')])], {
      events: [
        { integrationId: INTEGRATION, converterId: 'conv-1', type: 'DEBUG_UPLINK', ts: T0, body: { in: 'x', out: [1] } },
        { integrationId: INTEGRATION, type: 'ERROR', ts: T0 + 1, body: { error: 'e' } },
      ],
    }));
    const events = await store.listEvents({ integrationId: INTEGRATION });
    assert.deepEqual(events.map((e) => [e.type, e.ts, e.converterId, e.body]), [
      ['ERROR', T0 + 1, null, { error: 'e' }],
      ['DEBUG_UPLINK', T0, 'conv-1', { in: 'x', out: [1] }],
    ]);
  });
}

/**
 * Contract: no telemetry point vanishes silently. Points without their own ts (their message's
 * time) never share a timestamp with a point of another message: they take the next free
 * millisecond of their entity and key. A point with its own ts that replaces another message's
 * different value is counted as overwritten; an identical value and a redelivery are not.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { EntityRecord, KvValue } from '../../../src/core/model.ts';
import type { Store } from '../../../src/store/types.ts';
import type { StoreHarness } from './fixtures.ts';
import { INTEGRATION, T0, batch, dbl, entityId, freshStore, long, record, str, stored } from './fixtures.ts';

/** A message whose converter gave `key: value` without ts, for device `name`, received at `at`. */
const noTs = (name: string, key: string, value: KvValue, at = T0): EntityRecord => record(name, { implicit: [[at, key, value]] });
const withTs = (name: string, ts: number, key: string, value: KvValue): EntityRecord => record(name, { points: [[ts, key, value]] });

async function series(store: Store, name: string, key: string): Promise<Array<[number, unknown]>> {
  const id = await entityId(store, name);
  const points = (await store.queryTelemetry({ entityId: id, keys: [key] }))[key] ?? [];
  return points.map((p): [number, unknown] => [p.ts - T0, p.value.value]).reverse();
}

export function ingestTimestampsContract(h: StoreHarness): void {
  it('points without ts of 200 messages received in the same millisecond are all kept, in message order', async (t) => {
    const store = await freshStore(t, h);
    const { results } = await store.commitUplinks(batch(Array.from({ length: 200 }, (_, i) => stored(`m${i}`, [noTs('b', 'seq', long(i))]))));
    assert.ok(results.every((r) => r.status === 'stored' && r.overwritten === undefined), 'nothing was overwritten');
    assert.deepEqual(await series(store, 'b', 'seq'), Array.from({ length: 200 }, (_, i) => [i, i]), 'T0, T0+1, ... in message order');
    assert.deepEqual((await store.latestTelemetry(await entityId(store, 'b'))).seq, { ts: T0 + 199, value: long(199) });
  });

  it('points without ts never replace a point stored by an earlier commit, nor after a restart', async () => {
    let store = await h.open();
    try {
      await store.commitUplinks(batch([stored('m1', [noTs('b', 'seq', long(1))]), stored('m2', [noTs('b', 'seq', long(2))])]));
      await store.commitUplinks(batch([stored('m3', [noTs('b', 'seq', long(3))])]));
      await store.close();
      store = await h.reopen(store);
      const { results } = await store.commitUplinks(batch([stored('m4', [noTs('b', 'seq', long(4))]), stored('m5', [noTs('b', 'seq', long(5), T0 + 1)])]));
      assert.ok(results.every((r) => r.status === 'stored' && r.overwritten === undefined));
      const got = await series(store, 'b', 'seq');
      assert.equal(got.length, 5, 'five messages, five points');
      assert.deepEqual(got.slice(0, 3), [[0, 1], [1, 2], [2, 3]]);
      assert.deepEqual(got.slice(3).map(([, v]) => v).sort(), [4, 5], 'the points after the restart moved past the stored ones');
      assert.deepEqual((await store.latestTelemetry(await entityId(store, 'b'))).seq?.ts, T0 + 4);
    } finally {
      await store.close();
    }
  });

  it('points without ts from two integrations for one device in the same millisecond are both kept', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [noTs('b', 'seq', long(1))])], { integrationId: 'int-a' }));
    const { results } = await store.commitUplinks(batch([stored('m1', [noTs('b', 'seq', long(2))])], { integrationId: 'int-b' }));
    assert.deepEqual(results, [{ status: 'stored', createdEntities: [] }]);
    assert.deepEqual(await series(store, 'b', 'seq'), [[0, 1], [1, 2]]);
  });

  it('a point without ts never replaces a point with its own ts at that millisecond, stored or in the same batch', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [withTs('b', T0, 't', dbl(1)), withTs('b', T0 + 1, 't', dbl(2))])]));
    const { results } = await store.commitUplinks(batch([
      stored('m2', [noTs('b', 't', dbl(3), T0 + 3)]),
      stored('m3', [withTs('b', T0 + 3, 't', dbl(4))]),
      stored('m4', [noTs('b', 't', dbl(5))]),
    ]));
    assert.ok(results.every((r) => r.status === 'stored' && r.overwritten === undefined));
    assert.deepEqual(await series(store, 'b', 't'), [[0, 1], [1, 2], [2, 5], [3, 4], [4, 3]]);
    assert.deepEqual((await store.latestTelemetry(await entityId(store, 'b'))).t, { ts: T0 + 4, value: dbl(3) });
  });

  it('the next free millisecond is per entity and key; other entities and keys keep the message time', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([
      stored('m1', [record('a', { implicit: [[T0, 'x', long(1)], [T0, 'y', long(1)]] })]),
      stored('m2', [record('a', { implicit: [[T0, 'x', long(2)]] }), noTs('b', 'x', long(2))]),
    ]));
    assert.deepEqual(await series(store, 'a', 'x'), [[0, 1], [1, 2]]);
    assert.deepEqual(await series(store, 'a', 'y'), [[0, 1]]);
    assert.deepEqual(await series(store, 'b', 'x'), [[0, 2]]);
  });

  it('within one message, points without ts for one key are one value: the last wins, not counted', async (t) => {
    const store = await freshStore(t, h);
    const { results } = await store.commitUplinks(batch([
      stored('m1', [noTs('b', 't', long(1)), noTs('b', 't', long(2))]),
      stored('m2', [record('b', { points: [[T0 + 5, 'u', long(1)], [T0 + 5, 'u', long(2)]] })]),
    ]));
    assert.deepEqual(results.map((r) => r.status === 'stored' && r.overwritten), [undefined, undefined]);
    assert.deepEqual(await series(store, 'b', 't'), [[0, 2]]);
    assert.deepEqual(await series(store, 'b', 'u'), [[5, 2]]);
  });

  it('a point with its own ts that replaces another message\'s different value is counted as overwritten', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [withTs('b', T0, 't', dbl(1))])]));
    const { results } = await store.commitUplinks(batch([
      stored('m2', [withTs('b', T0, 't', dbl(2))]),
      stored('m3', [withTs('b', T0 + 1, 't', str('a'))]),
      stored('m4', [withTs('b', T0 + 1, 't', str('b')), withTs('b', T0 + 2, 't', dbl(9))]),
    ]));
    assert.deepEqual(results, [
      { status: 'stored', createdEntities: [], overwritten: 1 },
      { status: 'stored', createdEntities: [] },
      { status: 'stored', createdEntities: [], overwritten: 1 },
    ]);
    assert.deepEqual(await series(store, 'b', 't'), [[0, 2], [1, 'b'], [2, 9]]);
    assert.deepEqual((await store.latestTelemetry(await entityId(store, 'b'))).t, { ts: T0 + 2, value: dbl(9) });
  });

  it('each replacement of a different value is counted once: stored → first → second message of one batch', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [withTs('b', T0, 't', long(1))])]));
    const { results } = await store.commitUplinks(batch([
      stored('m2', [withTs('b', T0, 't', long(1))]),
      stored('m3', [withTs('b', T0, 't', long(3))]),
    ]));
    assert.deepEqual(results.map((r) => r.status === 'stored' && r.overwritten), [undefined, 1], 'm2 wrote the same value; m3 replaced it');
    assert.deepEqual(await series(store, 'b', 't'), [[0, 3]]);
  });

  it('replacing a value with an identical one is not counted (nothing was lost); a different one is', async (t) => {
    const store = await freshStore(t, h);
    const j = { type: 'json', value: { a: [1] } } as const;
    await store.commitUplinks(batch([stored('m1', [withTs('b', T0, 't', dbl(21.5)), withTs('b', T0, 'j', j), withTs('b', T0, 'u', long(1))])]));
    const { results } = await store.commitUplinks(batch([
      stored('m2', [withTs('b', T0, 't', dbl(21.5)), withTs('b', T0, 'j', j), withTs('b', T0, 'u', long(2))]),
      stored('m3', [withTs('b', T0, 't', dbl(21.5))]),
    ]));
    assert.deepEqual(results, [{ status: 'stored', createdEntities: [], overwritten: 1 }, { status: 'stored', createdEntities: [] }], 'only u changed');
    assert.deepEqual(await series(store, 'b', 't'), [[0, 21.5]]);
    assert.deepEqual(await series(store, 'b', 'u'), [[0, 2]]);
  });

  it('a redelivered message is a duplicate, not an overwrite, and changes nothing', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [withTs('b', T0, 't', dbl(1))])]));
    const { results } = await store.commitUplinks(batch([stored('m1', [withTs('b', T0, 't', dbl(2))]), stored('m2', [withTs('b', T0, 't', dbl(3))])]));
    assert.deepEqual(results, [{ status: 'duplicate' }, { status: 'stored', createdEntities: [], overwritten: 1 }], 'm2, a new message, did replace m1\'s value');
    assert.deepEqual(await series(store, 'b', 't'), [[0, 3]]);
  });

  it('the debug event of a message that overwrote points shows how many', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [withTs('b', T0, 't', dbl(1)), withTs('b', T0, 'u', dbl(1))])]));
    await store.commitUplinks(batch([
      stored('m2', [withTs('b', T0, 't', dbl(2)), withTs('b', T0, 'u', dbl(2))]),
      stored('m3', [withTs('b', T0 + 1, 't', dbl(3))]),
    ], {
      events: [0, 1].map((i) => ({ forItem: i, integrationId: INTEGRATION, type: 'DEBUG_UPLINK' as const, ts: T0 + i, body: { sourceKey: `m${i + 2}` } })),
    }));
    const events = await store.listEvents({ integrationId: INTEGRATION, type: 'DEBUG_UPLINK' });
    assert.deepEqual(events.map((e) => e.body).reverse(), [{ sourceKey: 'm2', overwritten: 2 }, { sourceKey: 'm3' }]);
  });
}

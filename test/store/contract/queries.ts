/** Contract: telemetry queries, entity listing and the attribute API. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { StoreHarness } from './fixtures.ts';
import { T0, batch, dbl, entityId, freshStore, long, record, rejectsWithCode, str, stored } from './fixtures.ts';

export function queriesContract(h: StoreHarness): void {
  it('queries telemetry newest first, per key, with an inclusive range and a per-key limit', async (t) => {
    const store = await freshStore(t, h);
    const points: Array<[number, string, ReturnType<typeof dbl>]> = [];
    for (let i = 0; i < 5; i++) points.push([T0 + i * 1000, 't', dbl(i)], [T0 + i * 1000, 'h', dbl(10 + i)]);
    points.push([T0, 'rare', dbl(99)]);
    await store.commitUplinks(batch([stored('m1', [record('dev-1', { points })]), stored('m2', [record('dev-2', { points: [[T0, 't', dbl(7)]] })])]));
    const id = await entityId(store, 'dev-1');

    const all = await store.queryTelemetry({ entityId: id });
    assert.deepEqual(Object.keys(all).sort(), ['h', 'rare', 't']);
    assert.deepEqual(all.t?.map((p) => p.ts), [4, 3, 2, 1, 0].map((i) => T0 + i * 1000));

    const ranged = await store.queryTelemetry({ entityId: id, keys: ['t', 'h', 'rare'], from: T0 + 1000, to: T0 + 3000 });
    assert.deepEqual(ranged, {
      t: [3, 2, 1].map((i) => ({ ts: T0 + i * 1000, value: dbl(i) })),
      h: [3, 2, 1].map((i) => ({ ts: T0 + i * 1000, value: dbl(10 + i) })),
    }, 'from/to inclusive; keys without points in the range are left out');

    const limited = await store.queryTelemetry({ entityId: id, keys: ['t', 'h'], limit: 2 });
    assert.deepEqual(limited.t?.map((p) => p.value), [dbl(4), dbl(3)]);
    assert.deepEqual(limited.h?.map((p) => p.value), [dbl(14), dbl(13)]);
    assert.deepEqual(await store.queryTelemetry({ entityId: id, keys: ['missing'] }), {});
    assert.deepEqual(await store.queryTelemetry({ entityId: 'no-such-entity' }), {});
  });

  it('lists latest values (optionally by key), telemetry keys and counts', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([
      stored('m1', [record('dev-1', { points: [[T0, 'b', dbl(1)], [T0, 'a', long(2)], [T0 + 5, 'a', long(3)]] })]),
      stored('m2', [record('dev-2', { points: [[T0, 'z', str('x')]] })]),
    ]));
    const id = await entityId(store, 'dev-1');
    assert.deepEqual(await store.telemetryKeys(id), ['a', 'b']);
    assert.deepEqual(await store.latestTelemetry(id, ['a', 'nope']), { a: { ts: T0 + 5, value: long(3) } });
    assert.deepEqual(Object.keys(await store.latestTelemetry(id)), ['a', 'b']);
    assert.equal(await store.countTelemetry(id), 3);
    assert.equal(await store.countTelemetry(), 4);
    assert.equal(await store.countTelemetry('no-such-entity'), 0);
    assert.deepEqual(await store.telemetryKeys('no-such-entity'), []);
    assert.deepEqual(await store.latestTelemetry('no-such-entity'), {});
  });

  it('lists entities by name with filters, case-insensitive search, paging and a total', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [
      record('Pump 2', { type: 'pump' }), record('pump 1', { type: 'pump' }), record('Valve', { type: 'valve' }),
      record('Pumping Station', { kind: 'ASSET', type: 'site' }),
    ])]));
    const all = await store.listEntities({});
    assert.equal(all.total, 4);
    assert.deepEqual(all.items.map((e) => e.name).sort(), ['Pump 2', 'Pumping Station', 'Valve', 'pump 1'].sort());

    const pumps = await store.listEntities({ search: 'PUMP' });
    assert.equal(pumps.total, 3);
    const devices = await store.listEntities({ kind: 'DEVICE', search: 'pump' });
    assert.deepEqual(devices.items.map((e) => e.name).sort(), ['Pump 2', 'pump 1']);
    assert.equal((await store.listEntities({ type: 'pump' })).total, 2);
    assert.equal((await store.listEntities({ kind: 'ASSET' })).items[0]?.name, 'Pumping Station');

    const page1 = await store.listEntities({ limit: 3, offset: 0 });
    const page2 = await store.listEntities({ limit: 3, offset: 3 });
    assert.deepEqual([page1.items.length, page1.total, page2.items.length, page2.total], [3, 4, 1, 4]);
    const names = [...page1.items, ...page2.items].map((e) => e.name);
    assert.deepEqual(new Set(names).size, 4, 'pages do not overlap');
    assert.equal((await store.listEntities({ search: 'nothing' })).total, 0);
  });

  it('sets, lists and deletes attributes per scope', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [record('dev-1', { attributes: { fw: str('1.0') } })])]));
    const id = await entityId(store, 'dev-1');
    await store.setAttributes(id, 'shared', [{ key: 'interval', value: long(60) }, { key: 'mode', value: str('eco') }]);
    await store.setAttributes(id, 'server', [{ key: 'interval', value: long(5) }]);
    await store.setAttributes(id, 'shared', [{ key: 'interval', value: long(30) }]);

    assert.deepEqual((await store.listAttributes(id, 'shared')).map((a) => [a.key, a.value]), [['interval', long(30)], ['mode', str('eco')]]);
    assert.deepEqual((await store.listAttributes(id)).map((a) => [a.scope, a.key]).sort(), [
      ['client', 'fw'], ['server', 'interval'], ['shared', 'interval'], ['shared', 'mode'],
    ]);
    await store.deleteAttributes(id, 'shared', ['interval', 'unknown']);
    assert.deepEqual((await store.listAttributes(id, 'shared')).map((a) => a.key), ['mode']);
    assert.deepEqual((await store.listAttributes(id, 'server')).map((a) => a.key), ['interval']);
    await rejectsWithCode(store.setAttributes('no-such-entity', 'shared', [{ key: 'k', value: long(1) }]), 'NOT_FOUND');
    assert.deepEqual(await store.listAttributes('no-such-entity'), []);
  });
}

/** Contract: what a stored uplink writes: entities, telemetry, latest values, client attributes, typed values. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { KvValue } from '../../../src/core/model.ts';
import type { StoreHarness } from './fixtures.ts';
import { INTEGRATION, T0, batch, bool, dbl, entityId, freshStore, json, long, record, str, stored } from './fixtures.ts';

const TYPED_VALUES: Array<[string, KvValue]> = [
  ['b_true', bool(true)], ['b_false', bool(false)],
  ['l_zero', long(0)], ['l_neg', long(-42)], ['l_max', long(Number.MAX_SAFE_INTEGER)],
  ['d_frac', dbl(21.5)], ['d_neg', dbl(-0.25)], ['d_whole', dbl(3)], ['d_big', dbl(1e300)],
  ['s_empty', str('')], ['s_text', str('żółw 🐢 "quoted"\n')], ['s_numeric', str('42')],
  ['j_object', json({ a: 1, nested: { list: [1, 'two', null, true] } })], ['j_array', json([1, 2, 3])],
  ['j_null', json(null)], ['j_number', json(7)], ['j_string', json('text')],
];

export function ingestDataContract(h: StoreHarness): void {
  it('stores a new device with its telemetry, latest values and client attributes', async (t) => {
    const store = await freshStore(t, h);
    const { results } = await store.commitUplinks(batch([stored('m1', [record('Thermo A', {
      type: 'thermometer', label: 'Kitchen', customerName: 'ACME', groupName: 'Floor 1',
      points: [[T0, 'temperature', dbl(21.5)], [T0, 'humidity', long(40)]],
      attributes: { firmware: str('1.2.3'), battery: long(97) },
    })])]));
    assert.deepEqual(results, [{ status: 'stored', createdEntities: ['Thermo A'] }]);

    const e = await store.getEntity('DEVICE', 'Thermo A');
    assert.ok(e);
    assert.deepEqual({ ...e, id: 'x', createdAt: 0 }, {
      id: 'x', kind: 'DEVICE', name: 'Thermo A', type: 'thermometer', label: 'Kitchen', customerName: 'ACME',
      groupName: 'Floor 1', createdByIntegrationId: INTEGRATION, createdAt: 0,
    });
    assert.match(e.id, /^[0-9a-f-]{36}$/);
    assert.ok(Math.abs(e.createdAt - Date.now()) < 60_000);
    assert.deepEqual(await store.telemetryKeys(e.id), ['humidity', 'temperature']);
    assert.deepEqual(await store.latestTelemetry(e.id), {
      humidity: { ts: T0, value: long(40) }, temperature: { ts: T0, value: dbl(21.5) },
    });
    const attrs = await store.listAttributes(e.id);
    assert.deepEqual(attrs.map((a) => [a.scope, a.key, a.value]), [['client', 'battery', long(97)], ['client', 'firmware', str('1.2.3')]]);
    assert.ok(attrs.every((a) => typeof a.updatedAt === 'number' && a.updatedAt > 0));
  });

  it('name, type, label, customer and group apply only when the entity is created', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [record('dev-1', { type: 'first', label: 'L1', customerName: 'C1', groupName: 'G1' })])]));
    const { results } = await store.commitUplinks(batch([stored('m2', [record('dev-1', {
      type: 'second', label: 'L2', customerName: 'C2', groupName: 'G2', points: [[T0, 't', dbl(1)]],
    })])]));
    assert.deepEqual(results, [{ status: 'stored', createdEntities: [] }]);
    const e = await store.getEntity('DEVICE', 'dev-1');
    assert.deepEqual([e?.type, e?.label, e?.customerName, e?.groupName], ['first', 'L1', 'C1', 'G1']);
    assert.equal((await store.listEntities({})).total, 1);
  });

  it('a device and an asset with the same name are different entities', async (t) => {
    const store = await freshStore(t, h);
    const { results } = await store.commitUplinks(batch([stored('m1', [
      record('Building 7', { points: [[T0, 'power', dbl(1)]] }),
      record('Building 7', { kind: 'ASSET', type: 'building', points: [[T0, 'power', dbl(2)]] }),
    ])]));
    assert.deepEqual(results, [{ status: 'stored', createdEntities: ['Building 7', 'Building 7'] }]);
    const device = await entityId(store, 'Building 7', 'DEVICE');
    const asset = await entityId(store, 'Building 7', 'ASSET');
    assert.notEqual(device, asset);
    assert.deepEqual((await store.latestTelemetry(asset)).power?.value, dbl(2));
    assert.deepEqual((await store.latestTelemetry(device)).power?.value, dbl(1));
  });

  it('telemetry is upserted on (entity, key, ts): the same point twice keeps one row with the last value', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [record('dev-1', { points: [[T0, 't', dbl(1)]] })])]));
    await store.commitUplinks(batch([
      stored('m2', [record('dev-1', { points: [[T0, 't', str('one')]] })]),
      stored('m3', [record('dev-1', { points: [[T0, 't', long(3)]] })]),
    ]));
    const id = await entityId(store, 'dev-1');
    assert.equal(await store.countTelemetry(id), 1);
    assert.deepEqual(await store.queryTelemetry({ entityId: id }), { t: [{ ts: T0, value: long(3) }] });
    assert.deepEqual(await store.latestTelemetry(id), { t: { ts: T0, value: long(3) } });
  });

  it('the latest value only moves forward in time (an equal ts replaces it)', async (t) => {
    const store = await freshStore(t, h);
    const point = (key: string, ts: number, v: number) => record('dev-1', { points: [[ts, key, dbl(v)]] });
    await store.commitUplinks(batch([stored('m1', [point('t', T0 + 200, 2)])]));
    await store.commitUplinks(batch([stored('m2', [point('t', T0 + 100, 1)])]));
    const id = await entityId(store, 'dev-1');
    assert.deepEqual(await store.latestTelemetry(id), { t: { ts: T0 + 200, value: dbl(2) } });
    await store.commitUplinks(batch([stored('m3', [point('t', T0 + 200, 2.5)])]));
    assert.deepEqual(await store.latestTelemetry(id), { t: { ts: T0 + 200, value: dbl(2.5) } });

    // Out of order inside one batch and inside one record.
    await store.commitUplinks(batch([
      stored('m4', [point('u', T0 + 300, 3)]),
      stored('m5', [record('dev-1', { points: [[T0 + 500, 'u', dbl(5)], [T0 + 400, 'u', dbl(4)]] })]),
      stored('m6', [point('u', T0 + 350, 3.5)]),
    ]));
    assert.deepEqual((await store.latestTelemetry(id)).u, { ts: T0 + 500, value: dbl(5) });
    assert.deepEqual((await store.queryTelemetry({ entityId: id, keys: ['u'] })).u?.map((p) => p.ts), [500, 400, 350, 300].map((d) => T0 + d));
  });

  it('typed values round-trip through telemetry, latest values and attributes', async (t) => {
    const store = await freshStore(t, h);
    const attributes = Object.fromEntries(TYPED_VALUES);
    await store.commitUplinks(batch([stored('m1', [record('dev-1', {
      points: TYPED_VALUES.map(([key, value]): [number, string, KvValue] => [T0, key, value]), attributes,
    })])]));
    const id = await entityId(store, 'dev-1');
    const points = await store.queryTelemetry({ entityId: id });
    const latest = await store.latestTelemetry(id);
    const attrs = new Map((await store.listAttributes(id, 'client')).map((a) => [a.key, a.value]));
    for (const [key, value] of TYPED_VALUES) {
      assert.deepEqual(points[key], [{ ts: T0, value }], `telemetry ${key}`);
      assert.deepEqual(latest[key], { ts: T0, value }, `latest ${key}`);
      assert.deepEqual(attrs.get(key), value, `attribute ${key}`);
    }
    await store.setAttributes(id, 'shared', TYPED_VALUES.map(([key, value]) => ({ key, value })));
    const shared = await store.listAttributes(id, 'shared');
    assert.deepEqual(shared.map((a) => [a.key, a.value]), [...TYPED_VALUES].sort(([a], [b]) => (a < b ? -1 : 1)));
  });

  it('client attributes from uplinks are upserted: the last value wins, other keys stay', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [record('dev-1', { attributes: { fw: str('1.0'), model: str('X') } })])]));
    await store.commitUplinks(batch([
      stored('m2', [record('dev-1', { attributes: { fw: str('1.1') } })]),
      stored('m3', [record('dev-1', { attributes: { fw: long(2) } })]),
    ]));
    const id = await entityId(store, 'dev-1');
    assert.deepEqual((await store.listAttributes(id)).map((a) => [a.key, a.value]), [['fw', long(2)], ['model', str('X')]]);
  });
}

/** Contract: retention deletes old rows in bounded batches, per integration and for the rest. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import type { RetentionKind, RetentionScope, Store } from '../../../src/store/types.ts';
import type { StoreHarness } from './fixtures.ts';
import { T0, batch, dbl, entityId, failed, freshStore, record, stored } from './fixtures.ts';

const DAY = 86_400_000;
const convertError = { stage: 'convert' as const, errorCode: 'CONVERTER_RUNTIME', error: 'boom' };

/** Prunes until the store says nothing older is left; returns the batch sizes. */
async function pruneAll(store: Store, kind: RetentionKind, scope: RetentionScope, olderThan: number, limit: number): Promise<number[]> {
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const r = await store.pruneOlderThan(kind, scope, olderThan, limit, cursor);
    sizes.push(r.deleted);
    cursor = r.cursor;
  } while (cursor !== null);
  return sizes;
}

/** Waits until the wall clock has passed `t` (rows stamped by the store with Date.now()). */
async function after(t: number): Promise<number> {
  while (Date.now() <= t) await new Promise((r) => setImmediate(r));
  return Date.now();
}

export function retentionContract(h: StoreHarness): void {
  it('prunes telemetry per series older than the cutoff in batches of at most the limit; latest values and devices stay', async (t) => {
    const store = await freshStore(t, h);
    const points = (n: number, from: number): Array<[number, string, ReturnType<typeof dbl>]> =>
      Array.from({ length: n }, (_, i) => [from + i * 1000, i % 2 === 0 ? 'temp' : 'hum', dbl(i)]);
    await store.commitUplinks(batch([stored('a', [record('dev-a', { points: points(30, T0 - 10 * DAY) }), record('dev-b', { points: points(7, T0 - 10 * DAY) })])], { integrationId: 'int-1' }));
    await store.commitUplinks(batch([stored('b', [record('dev-a', { points: [[T0, 'temp', dbl(99)], [T0 + 1, 'hum', dbl(98)]] })])], { integrationId: 'int-1' }));
    await store.commitUplinks(batch([stored('c', [record('dev-c', { points: points(4, T0 - 10 * DAY) })])], { integrationId: 'int-2' }));
    assert.equal(await store.oldestRow('telemetry'), T0 - 10 * DAY);

    // int-1's devices: 37 old points go, 4 at a time; the others' stay.
    const sizes = await pruneAll(store, 'telemetry', { integrationId: 'int-1' }, T0 - DAY, 4);
    assert.ok(sizes.every((n) => n <= 4), `batches ${sizes.join(',')}`);
    assert.equal(sizes.reduce((a, b) => a + b, 0), 37);
    const devA = await entityId(store, 'dev-a');
    assert.deepEqual(await store.queryTelemetry({ entityId: devA }), { temp: [{ ts: T0, value: dbl(99) }], hum: [{ ts: T0 + 1, value: dbl(98) }] });
    const devB = await entityId(store, 'dev-b');
    assert.deepEqual(await store.queryTelemetry({ entityId: devB }), {});
    assert.deepEqual(await store.latestTelemetry(devB), { temp: { ts: T0 - 10 * DAY + 6000, value: dbl(6) }, hum: { ts: T0 - 10 * DAY + 5000, value: dbl(5) } });
    assert.equal(await store.countTelemetry(await entityId(store, 'dev-c')), 4);
    assert.equal(await store.oldestRow('telemetry'), T0 - 10 * DAY);

    // Every other integration (and devices of none): dev-c.
    assert.deepEqual(await pruneAll(store, 'telemetry', { except: ['int-1'] }, T0 - DAY, 100), [4]);
    assert.equal(await store.countTelemetry(), 2);
    assert.equal(await store.oldestRow('telemetry'), T0);
    assert.deepEqual(await pruneAll(store, 'telemetry', { except: [] }, T0 - DAY, 100), [0]);
  });

  it('prunes events by ts per integration and for the rest, those of no integration included', async (t) => {
    const store = await freshStore(t, h);
    await store.addEvents([
      ...Array.from({ length: 5 }, (_, i) => ({ integrationId: 'int-1', type: 'DEBUG_UPLINK' as const, ts: T0 - 5 * DAY + i, body: { i } })),
      { integrationId: 'int-2', type: 'ERROR', ts: T0 - 5 * DAY, body: {} },
      { integrationId: null, type: 'WARNING', ts: T0 - 5 * DAY, body: {} },
      { integrationId: 'int-1', type: 'LIFECYCLE', ts: T0, body: {} },
    ]);
    assert.equal(await store.oldestRow('events'), T0 - 5 * DAY);
    assert.deepEqual(await pruneAll(store, 'events', { integrationId: 'int-1' }, T0 - DAY, 2), [2, 2, 1]);
    assert.deepEqual((await store.listEvents({})).map((e) => e.integrationId), ['int-1', null, 'int-2']);
    assert.deepEqual(await pruneAll(store, 'events', { except: ['int-1'] }, T0 - DAY, 10), [2]);
    assert.deepEqual((await store.listEvents({})).map((e) => e.type), ['LIFECYCLE']);
    assert.equal(await store.oldestRow('events'), T0);
  });

  it('prunes replayed and discarded dead letters by creation time (pending ones stay), and only the history of downlinks (queued ones stay)', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([failed('a1', convertError), failed('a2', convertError)], { integrationId: 'int-1' }));
    await store.commitUplinks(batch([failed('b1', convertError)], { integrationId: 'int-2' }));
    const sent = await store.enqueueDownlink({ integrationId: 'int-1', deviceName: 'd', msgType: 'RPC', msg: {}, metadata: {} });
    await store.markDownlink(sent.id, 'sent');
    const failedDl = await store.enqueueDownlink({ integrationId: 'int-2', deviceName: 'd', msgType: 'RPC', msg: {}, metadata: {} });
    await store.markDownlink(failedDl.id, 'failed', 'no route');
    const queued = await store.enqueueDownlink({ integrationId: 'int-1', deviceName: 'd', msgType: 'RPC', msg: {}, metadata: {} });
    await store.commitUplinks(batch([failed('a0', convertError)], { integrationId: 'int-1' }));
    const letters = (await store.listDeadLetters({})).items;
    const idOf = (key: string): string => letters.find((d) => d.sourceKey === key)?.id ?? assert.fail(key);
    await store.setDeadLetterState(idOf('a1'), 'replayed');
    await store.setDeadLetterState(idOf('a2'), 'discarded');
    await store.setDeadLetterState(idOf('b1'), 'discarded');
    const cut = await after(Date.now());
    await after(cut);
    await store.commitUplinks(batch([failed('a3', convertError)], { integrationId: 'int-1' }));
    const fresh = await store.enqueueDownlink({ integrationId: 'int-1', deviceName: 'd', msgType: 'RPC', msg: {}, metadata: {} });
    await store.markDownlink(fresh.id, 'sent');

    assert.ok((await store.oldestRow('deadLetters') ?? Infinity) < cut);
    assert.deepEqual(await pruneAll(store, 'deadLetters', { integrationId: 'int-1' }, cut, 1), [1, 1, 0]);
    assert.deepEqual((await store.listDeadLetters({})).items.map((d) => d.sourceKey).sort(), ['a0', 'a3', 'b1'], 'the old pending a0 stays');
    assert.deepEqual(await pruneAll(store, 'deadLetters', { except: ['int-1'] }, cut, 10), [1]);
    assert.deepEqual((await store.listDeadLetters({})).items.map((d) => d.sourceKey).sort(), ['a0', 'a3']);

    assert.deepEqual(await pruneAll(store, 'downlinks', { except: [] }, cut, 10), [2]);
    assert.deepEqual((await store.listDownlinks({})).map((d) => d.id).sort(), [queued.id, fresh.id].sort());
    assert.equal(await store.oldestRow('downlinks'), (await store.getDownlink(fresh.id))?.createdAt);
  });

  it('reports the bytes the store takes and no oldest row of an empty kind', async (t) => {
    const store = await freshStore(t, h);
    assert.equal(await store.oldestRow('telemetry'), null);
    assert.equal(await store.oldestRow('downlinks'), null);
    const empty = await store.storeSizeBytes();
    assert.ok(empty > 0, `size ${empty}`);
    // Random text: PostgreSQL compresses what repeats.
    await store.addEvents(Array.from({ length: 500 }, (_, i) => ({ integrationId: 'int-1', type: 'DEBUG_UPLINK' as const, ts: T0 + i, body: { big: randomBytes(1500).toString('base64') } })));
    assert.ok(await store.storeSizeBytes() > empty + 500_000);
  });
}

/** Contract: idempotent commits, dedupe modes, in-batch duplicates, dedupe-key pruning by generation (ADR 011). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { StoreHarness } from './fixtures.ts';
import { T0, batch, commitStatuses, dbl, failed, freshStore, record, snapshot, stored } from './fixtures.ts';

const temp = (ts: number, value: number) => record('dev-1', { points: [[ts, 'temperature', dbl(value)]] });

export function dedupeContract(h: StoreHarness): void {
  it('committing the same batch twice reports every item duplicate and changes nothing', async (t) => {
    const store = await freshStore(t, h);
    const commit = batch([
      stored('m1', [record('dev-1', { points: [[T0, 'temperature', dbl(21.5)]], attributes: { fw: dbl(1.1) } })]),
      stored('m2', [record('dev-1', { points: [[T0 + 1000, 'temperature', dbl(22)]] })]),
      failed('m3', { stage: 'convert', errorCode: 'CONVERTER_RUNTIME', error: 'boom' }),
    ]);
    assert.deepEqual(await commitStatuses(store, commit), ['stored', 'stored', 'dead-lettered']);
    const before = await snapshot(store, 'dev-1');
    const deadLetters = (await store.listDeadLetters({})).total;

    assert.deepEqual(await commitStatuses(store, commit), ['duplicate', 'duplicate', 'duplicate']);
    assert.deepEqual(await snapshot(store, 'dev-1'), before);
    assert.equal((await store.listDeadLetters({})).total, deadLetters);
    assert.equal(await store.countTelemetry(), 2);
  });

  it('a duplicate changes nothing even when its content differs', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [temp(T0, 20)])]));
    assert.deepEqual(await commitStatuses(store, batch([stored('m1', [temp(T0, 99)])])), ['duplicate']);
    const id = (await store.getEntity('DEVICE', 'dev-1'))?.id ?? '';
    assert.deepEqual((await store.latestTelemetry(id)).temperature?.value, dbl(20));
  });

  it('dedupe keys are per integration', async (t) => {
    const store = await freshStore(t, h);
    assert.deepEqual(await commitStatuses(store, batch([stored('m1', [temp(T0, 1)])], { integrationId: 'int-a' })), ['stored']);
    assert.deepEqual(await commitStatuses(store, batch([stored('m1', [temp(T0 + 1, 2)])], { integrationId: 'int-b' })), ['stored']);
    assert.equal(await store.countTelemetry(), 2);
  });

  it('record-only items are always stored, and their key makes a later check item a duplicate', async (t) => {
    const store = await freshStore(t, h);
    assert.deepEqual(await commitStatuses(store, batch([stored('hash-1', [temp(T0, 1)], { dedupe: 'record-only' })])), ['stored']);
    assert.deepEqual(await commitStatuses(store, batch([stored('hash-1', [temp(T0 + 1, 2)], { dedupe: 'record-only' })])), ['stored']);
    assert.equal(await store.countTelemetry(), 2);
    // A redelivery is checked: the recorded key makes it a duplicate.
    assert.deepEqual(await commitStatuses(store, batch([stored('hash-1', [temp(T0 + 2, 3)], { dedupe: 'check' })])), ['duplicate']);
    assert.equal(await store.countTelemetry(), 2);
  });

  it('a sourceKey repeated inside one batch follows the same rules as across batches', async (t) => {
    const store = await freshStore(t, h);
    const statuses = await commitStatuses(store, batch([
      stored('k1', [temp(T0, 1)]),
      stored('k1', [temp(T0 + 1, 2)]),
      stored('k2', [temp(T0 + 2, 3)], { dedupe: 'record-only' }),
      stored('k2', [temp(T0 + 3, 4)], { dedupe: 'record-only' }),
      stored('k2', [temp(T0 + 4, 5)]),
      stored('k3', [temp(T0 + 5, 6)]),
      stored('k3', [temp(T0 + 6, 7)], { dedupe: 'record-only' }),
    ]));
    assert.deepEqual(statuses, ['stored', 'duplicate', 'stored', 'stored', 'duplicate', 'stored', 'stored']);
    const id = (await store.getEntity('DEVICE', 'dev-1'))?.id ?? '';
    const points = await store.queryTelemetry({ entityId: id });
    assert.deepEqual(points.temperature?.map((p) => p.value), [7, 6, 4, 3, 1].map(dbl));
  });

  it('a dead-lettered message records its key: its redelivery is a duplicate', async (t) => {
    const store = await freshStore(t, h);
    const dl = failed('bad-1', { stage: 'validate', errorCode: 'CONVERTER_OUTPUT', error: 'deviceName missing' });
    assert.deepEqual(await commitStatuses(store, batch([dl])), ['dead-lettered']);
    assert.deepEqual(await commitStatuses(store, batch([dl])), ['duplicate']);
    assert.equal((await store.listDeadLetters({})).total, 1);
  });

  it('pruneDedupeKeys with a cutoff in the future forgets every key, after which a redelivery is stored again', async (t) => {
    const store = await freshStore(t, h);
    const before = Date.now() - 1;
    await store.commitUplinks(batch([stored('m1', [temp(T0, 1)]), stored('m2', [temp(T0 + 1, 2)])]));
    await store.commitUplinks(batch([stored('m1', [temp(T0, 1)])], { integrationId: 'int-b' }));
    assert.equal(await store.pruneDedupeKeys(before), 0);
    assert.deepEqual(await commitStatuses(store, batch([stored('m1', [temp(T0, 1)])])), ['duplicate']);

    // A minute ahead of the store's clock, whatever time the call takes: every key is older.
    assert.equal(await store.pruneDedupeKeys(Date.now() + 60_000), 3);
    assert.deepEqual(await commitStatuses(store, batch([stored('m1', [temp(T0, 5)])])), ['stored']);
    assert.equal(await store.pruneDedupeKeys(Date.now() + 60_000), 1);
    assert.equal(await store.pruneDedupeKeys(Date.now() + 60_000), 0);
  });

  it('pruneDedupeKeys forgets keys a generation at a time: never one committed after the cutoff, nor before its generation ended', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('k1', [temp(T0, 1)])]));
    // The generation holding k1 started before the cutoff, but k1 may be younger: it is kept, and
    // keys committed from now on go to a new generation.
    assert.equal(await store.pruneDedupeKeys(Date.now()), 0);
    assert.deepEqual(await commitStatuses(store, batch([stored('k1', [temp(T0 + 1, 2)])])), ['duplicate']);
    await store.commitUplinks(batch([stored('k2', [temp(T0 + 2, 3)])]));
    // The new generation started before this cutoff: every key of the old one is older, it goes whole.
    assert.equal(await store.pruneDedupeKeys(Date.now()), 1);
    assert.deepEqual(await commitStatuses(store, batch([stored('k1', [temp(T0 + 3, 4)]), stored('k2', [temp(T0 + 4, 5)])])), ['stored', 'duplicate']);
  });
}

/**
 * Contract: the forwarders' outbox (ADR 017). A commit that forwards writes, in its transaction,
 * rows for what it stored (device records only, with the ts each point was stored at); a
 * forwarder reads them in seq order, deletes the delivered ones, dead-letters the refused ones;
 * retention dead-letters rows that waited too long or too many.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { EntityRecord } from '../../../src/core/model.ts';
import { outboxRowOfDeadLetter } from '../../../src/store/outbox-rows.ts';
import type { OutboxRow, Store } from '../../../src/store/types.ts';
import { integration } from './config.ts';
import type { StoreHarness } from './fixtures.ts';
import { INTEGRATION, T0, batch, bool, commitStatuses, dbl, failed, freshStore, json, long, record, rejectsWithCode, stored, str } from './fixtures.ts';

const TB = 'tb-cloud';

/** The forwarder's rows as (device, entry), in seq order. */
async function entries(store: Store, forwarder = TB): Promise<Array<[string, OutboxRow['entry']]>> {
  return (await store.readOutbox(forwarder, 0, 1000)).map((r) => [r.deviceName, r.entry]);
}

function withReplies(r: EntityRecord, extra: Pick<EntityRecord, 'rpcReplies' | 'attributeRequests'>): EntityRecord {
  return { ...r, ...extra };
}

/** Waits until the clock moved past `t` (rows created after it have a later createdAt). */
async function after(t: number): Promise<void> {
  while (Date.now() <= t) await new Promise((resolve) => setTimeout(resolve, 2));
}

export function outboxContract(h: StoreHarness): void {
  it('writes the stored records\' rows with the commit, in item then record order, telemetry grouped by ts ascending', async (t) => {
    const store = await freshStore(t, h);
    const statuses = await commitStatuses(store, batch([
      stored('m1', [
        record('pump-1', {
          type: 'pump', points: [[T0 + 5, 'flow', dbl(2.5)], [T0, 'flow', dbl(1.5)], [T0, 'on', bool(true)], [T0, 'count', long(7)]],
          attributes: { model: str('P-100'), config: json({ a: [1, 2] }) },
        }),
        record('site-a', { kind: 'ASSET', type: 'site', points: [[T0, 'p', dbl(1)]] }),
        record('pump-2', { points: [[T0, 'doc', json({ x: null, y: 'z' })]] }),
      ]),
      stored('m2', [withReplies(record('pump-1', { type: 'pump' }), {
        rpcReplies: [{ id: 42, data: { ok: true } }], attributeRequests: [{ id: 7, client: false, keys: ['target'] }],
      })]),
      stored('m3', [withReplies(record('pump-2', { points: [[T0 + 9, 'flow', dbl(3)]] }), { rpcReplies: [{ id: 43, data: 'done' }] })]),
    ], { forward: [TB] }));
    assert.deepEqual(statuses, ['stored', 'stored', 'stored']);
    assert.deepEqual(await entries(store), [
      ['pump-1', {
        kind: 'uplink', telemetry: [{ ts: T0, values: { flow: 1.5, on: true, count: 7 } }, { ts: T0 + 5, values: { flow: 2.5 } }],
        attributes: { model: 'P-100', config: { a: [1, 2] } },
      }],
      ['pump-2', { kind: 'uplink', telemetry: [{ ts: T0, values: { doc: { x: null, y: 'z' } } }], attributes: {} }],
      ['pump-1', { kind: 'rpc-reply', id: 42, data: { ok: true } }],
      ['pump-1', { kind: 'attributes-request', id: 7, client: false, keys: ['target'] }],
      ['pump-2', { kind: 'uplink', telemetry: [{ ts: T0 + 9, values: { flow: 3 } }], attributes: {} }],
      ['pump-2', { kind: 'rpc-reply', id: 43, data: 'done' }],
    ], 'the asset is not forwarded; a record with only replies writes no empty uplink');
    const rows = await store.readOutbox(TB, 0, 100);
    assert.ok(rows.every((r, i) => i === 0 || r.seq > (rows[i - 1]?.seq ?? 0)), 'seq ascends');
    assert.deepEqual(rows.map((r) => [r.forwarder, r.integrationId, r.deviceType]).slice(0, 2), [[TB, INTEGRATION, 'pump'], [TB, INTEGRATION, 'default']]);
    assert.ok(rows.every((r) => typeof r.createdAt === 'number' && r.createdAt > T0));
  });

  it('carries the ts a point without ts was stored at (moved to the next free millisecond)', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [record('dev', { implicit: [[T0, 't', dbl(1)]] })])], { forward: [TB] }));
    await store.commitUplinks(batch([
      stored('m2', [record('dev', { implicit: [[T0, 't', dbl(2)], [T0, 'h', long(40)], [T0, 't', dbl(3)]] })]),
      stored('m3', [record('dev', { implicit: [[T0, 't', dbl(4)]], points: [[T0 + 2, 't', dbl(5)]] })]),
    ], { forward: [TB] }));
    const id = (await store.getEntity('DEVICE', 'dev'))?.id ?? '';
    const storedTs = (await store.queryTelemetry({ entityId: id, keys: ['t'] })).t?.map((p) => [p.ts, p.value.value]).reverse();
    assert.deepEqual(storedTs, [[T0, 1], [T0 + 1, 3], [T0 + 2, 5], [T0 + 3, 4]]);
    assert.deepEqual((await entries(store)).map(([, e]) => (e.kind === 'uplink' ? e.telemetry : null)), [
      [{ ts: T0, values: { t: 1 } }],
      [{ ts: T0, values: { h: 40 } }, { ts: T0 + 1, values: { t: 3 } }],
      [{ ts: T0 + 2, values: { t: 5 } }, { ts: T0 + 3, values: { t: 4 } }],
    ]);
  });

  it('writes nothing for duplicates, dead-lettered items, commits without forwarders, and rolled-back commits', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [record('known', { points: [[T0, 't', dbl(1)]] })])]));
    assert.deepEqual(await entries(store), [], 'no forward: no rows');
    const statuses = await commitStatuses(store, batch([
      stored('m1', [record('known', { points: [[T0 + 1, 't', dbl(2)]] })]),
      failed('m2', { stage: 'convert', errorCode: 'CONVERTER_RUNTIME', error: 'boom' }),
      stored('m3', [record('known', { points: [[T0 + 3, 't', dbl(3)]] }), record('ghost', { points: [[T0, 't', dbl(1)]] })]),
      stored('m4', [record('known', { points: [[T0 + 4, 't', dbl(4)]] })]),
    ], { forward: [TB], allowCreateDevices: false }));
    assert.deepEqual(statuses, ['duplicate', 'dead-lettered', 'dead-lettered', 'stored']);
    assert.deepEqual(await entries(store), [['known', { kind: 'uplink', telemetry: [{ ts: T0 + 4, values: { t: 4 } }], attributes: {} }]]);

    const before = await store.countTelemetry();
    const failing = batch([stored('m5', [record('known', { points: [[T0 + 5, 't', dbl(5)]] })])], {
      forward: [TB], events: [{ forItem: 0, integrationId: INTEGRATION, type: 'DEBUG_UPLINK', ts: T0, body: { n: 10n } }],
    });
    await assert.rejects(store.commitUplinks(failing), 'an event that cannot be written fails the commit');
    assert.equal(await store.countTelemetry(), before);
    assert.equal((await entries(store)).length, 1, 'the failed commit left no outbox row');

    const lease = await store.claimLease(INTEGRATION, 'shard-0', 'a', 0, 60_000);
    assert.ok(lease);
    await store.claimLease(INTEGRATION, 'shard-0', 'b', lease.token, 60_000);
    await rejectsWithCode(store.commitUplinks(batch([stored('m6', [record('known', { points: [[T0 + 6, 't', dbl(6)]] })])], {
      forward: [TB], checkpoints: [{ partition: 'shard-0', position: '6', lease: { owner: 'a', token: lease.token } }],
    })), 'LEASE_LOST');
    assert.equal((await entries(store)).length, 1, 'the fenced-out commit left no outbox row');
  });

  it('writes one row per forwarder; each reads its own after a seq, up to a limit, and deletes what was delivered', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch(Array.from({ length: 5 }, (_, i) => stored(`m${i}`, [record(`d${i}`, { points: [[T0, 't', long(i)]] })])),
      { forward: ['a', 'b'] }));
    const a = await store.readOutbox('a', 0, 3);
    assert.deepEqual(a.map((r) => r.deviceName), ['d0', 'd1', 'd2']);
    assert.deepEqual((await store.readOutbox('a', a[2]?.seq ?? 0, 10)).map((r) => r.deviceName), ['d3', 'd4']);
    assert.deepEqual((await store.readOutbox('b', 0, 10)).map((r) => r.deviceName), ['d0', 'd1', 'd2', 'd3', 'd4']);
    assert.deepEqual(await store.readOutbox('c', 0, 10), []);

    const bRows = await store.readOutbox('b', 0, 10);
    await store.deleteOutbox('a', [...a.map((r) => r.seq), ...bRows.map((r) => r.seq + 1_000_000)]);
    await store.deleteOutbox('a', []);
    assert.deepEqual((await store.readOutbox('a', 0, 10)).map((r) => r.deviceName), ['d3', 'd4']);
    await store.deleteOutbox('a', bRows.map((r) => r.seq));
    assert.equal((await store.readOutbox('b', 0, 10)).length, 5, 'a forwarder deletes only its own rows');
    assert.deepEqual(await store.outboxStats('b'), { depth: 5, oldestAt: bRows[0]?.createdAt ?? -1 });
    assert.deepEqual(await store.outboxStats('c'), { depth: 0, oldestAt: null });
  });

  it('appends rows outside commits; a seq is never used again, even after the outbox emptied', async (t) => {
    const store = await freshStore(t, h);
    await store.appendOutbox([
      { forwarder: TB, integrationId: INTEGRATION, deviceName: 'pump-1', deviceType: 'pump', entry: { kind: 'rpc-reply', id: 5, data: { error: 'timeout' } } },
      { forwarder: 'other', integrationId: INTEGRATION, deviceName: 'pump-1', deviceType: 'pump', entry: { kind: 'attributes-request', id: 6, client: true, keys: ['a', 'b'] } },
    ]);
    const [first] = await store.readOutbox(TB, 0, 10);
    assert.deepEqual([first?.deviceName, first?.deviceType, first?.entry], ['pump-1', 'pump', { kind: 'rpc-reply', id: 5, data: { error: 'timeout' } }]);
    assert.deepEqual((await entries(store, 'other')).map(([, e]) => e), [{ kind: 'attributes-request', id: 6, client: true, keys: ['a', 'b'] }]);
    await store.deleteOutbox(TB, [first?.seq ?? 0]);
    await store.deleteOutbox('other', (await store.readOutbox('other', 0, 10)).map((r) => r.seq));
    await store.appendOutbox([{ forwarder: TB, integrationId: INTEGRATION, deviceName: 'pump-2', deviceType: 'pump', entry: { kind: 'rpc-reply', id: 8, data: null } }]);
    const [next] = await store.readOutbox(TB, 0, 10);
    assert.ok((next?.seq ?? 0) > (first?.seq ?? Infinity), `seq ${next?.seq} after ${first?.seq}`);
    await assert.rejects(store.appendOutbox([{ forwarder: '', integrationId: INTEGRATION, deviceName: 'x', deviceType: 'y', entry: { kind: 'rpc-reply', id: 1, data: 1 } }]));
  });

  it('moves a refused row to the dead letters with its reason, and its payload puts it back', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([stored('m1', [record('pump-1', { type: 'pump', points: [[T0, 't', dbl(1)]] }), record('pump-2', { points: [[T0, 't', dbl(2)]] })])],
      { forward: [TB] }));
    const [row, second] = await store.readOutbox(TB, 0, 10);
    assert.ok(row && second);
    const id = await store.rejectOutbox(TB, row.seq, 'PAYLOAD_INVALID', 'ThingsBoard refused the message: payload format invalid (0x99)');
    assert.ok(id);
    assert.equal(await store.rejectOutbox(TB, row.seq, 'PAYLOAD_INVALID', 'again'), null, 'the row is gone');
    assert.equal(await store.rejectOutbox('other', second.seq, 'PAYLOAD_INVALID', 'not its row'), null);
    assert.deepEqual((await store.readOutbox(TB, 0, 10)).map((r) => r.seq), [second.seq]);

    const dl = await store.getDeadLetter(id);
    assert.ok(dl);
    assert.deepEqual([dl.stage, dl.errorCode, dl.error, dl.integrationId, dl.state, dl.receivedAt], [
      'forward', 'PAYLOAD_INVALID', 'ThingsBoard refused the message: payload format invalid (0x99)', INTEGRATION, 'pending', row.createdAt]);
    assert.deepEqual(dl.metadata, { forwarder: TB, deviceName: 'pump-1', deviceType: 'pump', seq: String(row.seq), kind: 'uplink' });
    const back = outboxRowOfDeadLetter(dl.payload);
    assert.deepEqual(back, { forwarder: TB, integrationId: INTEGRATION, deviceName: 'pump-1', deviceType: 'pump', entry: row.entry });
    await store.appendOutbox([back]);
    assert.deepEqual((await entries(store)).map(([name]) => name), ['pump-2', 'pump-1'], 'the replayed row comes after the waiting ones');
  });

  it('retention dead-letters (OUTBOX_RETENTION) the rows older than the cut-off, then the oldest beyond maxRows', async (t) => {
    const store = await freshStore(t, h);
    const commitDevices = async (names: string[], forward = [TB]): Promise<void> => {
      await store.commitUplinks(batch(names.map((n) => stored(n, [record(n, { points: [[T0, 't', dbl(1)]] })])), { forward }));
    };
    await commitDevices(['old-1', 'old-2'], [TB, 'other']);
    const cut = Date.now();
    await after(cut);
    await commitDevices(['new-1', 'new-2', 'new-3', 'new-4']);

    assert.equal(await store.expireOutbox(TB, { olderThan: 0, maxRows: 100 }), 0);
    assert.equal(await store.expireOutbox(TB, { olderThan: cut + 1, maxRows: 100 }), 2);
    assert.deepEqual((await entries(store)).map(([n]) => n), ['new-1', 'new-2', 'new-3', 'new-4']);
    assert.equal((await store.readOutbox('other', 0, 10)).length, 2, 'another forwarder\'s rows stay');

    assert.equal(await store.expireOutbox(TB, { olderThan: 0, maxRows: 1 }), 3);
    assert.deepEqual((await entries(store)).map(([n]) => n), ['new-4']);
    assert.equal(await store.expireOutbox(TB, { olderThan: 0, maxRows: 1 }), 0);

    const letters = (await store.listDeadLetters({})).items.filter((d) => d.errorCode === 'OUTBOX_RETENTION');
    assert.deepEqual(letters.map((d) => d.metadata.deviceName).sort(), ['new-1', 'new-2', 'new-3', 'old-1', 'old-2']);
    assert.ok(letters.every((d) => d.stage === 'forward' && d.metadata.forwarder === TB));
    assert.match(letters.find((d) => d.metadata.deviceName === 'old-1')?.error ?? '', /retention/);
    assert.match(letters.find((d) => d.metadata.deviceName === 'new-1')?.error ?? '', /more than its maximum of 1 rows/);
  });

  it('keeps the outbox across a reopen and when the integration is deleted', async (t) => {
    const store = await h.open();
    await store.saveIntegration(integration(INTEGRATION, 'Line A'));
    await store.commitUplinks(batch([stored('m1', [record('dev', { points: [[T0, 't', dbl(1)]] })])], { forward: [TB] }));
    await store.deleteIntegration(INTEGRATION);
    await store.close();
    const again = await h.reopen(store);
    t.after(() => again.close());
    assert.deepEqual((await entries(again)).map(([n]) => n), ['dev']);
  });
}

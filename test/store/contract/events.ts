/** Contract: events listing, paging and pruning. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { EventInput } from '../../../src/store/types.ts';
import type { StoreHarness } from './fixtures.ts';
import { T0, freshStore, rejectsWithCode } from './fixtures.ts';

const ev = (n: number, ts: number, extra: Partial<EventInput> = {}): EventInput =>
  ({ integrationId: 'int-1', type: 'DEBUG_UPLINK', ts, body: { n }, ...extra });

export function eventsContract(h: StoreHarness): void {
  it('lists events newest first (ties in insertion order) with filters and a body round-trip', async (t) => {
    const store = await freshStore(t, h);
    await store.addEvents([
      ev(1, T0), ev(2, T0 + 10), ev(3, T0 + 10),
      ev(4, T0 + 5, { integrationId: 'int-2', converterId: 'conv-1', type: 'DEBUG_CONVERTER' }),
      { type: 'LIFECYCLE', ts: T0 + 1, body: { event: 'STARTED', nested: { list: [1, 'a', null] } } },
    ]);
    await store.addEvents([]);
    const all = await store.listEvents({});
    assert.deepEqual(all.map((e) => e.body.n ?? e.body.event), [3, 2, 4, 'STARTED', 1]);
    assert.ok(all.every((e) => typeof e.id === 'string' && e.id.length > 0));
    assert.equal(new Set(all.map((e) => e.id)).size, 5);
    const lifecycle = all.find((e) => e.type === 'LIFECYCLE');
    assert.deepEqual(lifecycle && { ...lifecycle, id: '' }, {
      id: '', integrationId: null, converterId: null, type: 'LIFECYCLE', ts: T0 + 1, body: { event: 'STARTED', nested: { list: [1, 'a', null] } },
    });

    assert.deepEqual((await store.listEvents({ integrationId: 'int-1' })).map((e) => e.body.n), [3, 2, 1]);
    assert.deepEqual((await store.listEvents({ converterId: 'conv-1' })).map((e) => e.body.n), [4]);
    assert.deepEqual((await store.listEvents({ type: 'DEBUG_UPLINK', limit: 2 })).map((e) => e.body.n), [3, 2]);
    assert.deepEqual(await store.listEvents({ integrationId: 'int-1', type: 'LIFECYCLE' }), []);
    assert.deepEqual((await store.listEvents({ types: ['LIFECYCLE', 'DEBUG_CONVERTER'] })).map((e) => e.body.n ?? e.body.event), [4, 'STARTED']);
    assert.deepEqual((await store.listEvents({ from: T0 + 1, to: T0 + 10 })).map((e) => e.body.n ?? e.body.event), [4, 'STARTED']);
    assert.deepEqual((await store.listEvents({ integrationId: 'int-1', from: T0 + 10 })).map((e) => e.body.n), [3, 2]);
  });

  it('pages with `before` through events that share a timestamp', async (t) => {
    const store = await freshStore(t, h);
    const events: EventInput[] = [];
    for (let n = 0; n < 7; n++) events.push(ev(n, T0 + Math.floor(n / 3)));
    events.push(ev(100, T0 + 1, { integrationId: 'other' }));
    await store.addEvents(events);
    const seen: unknown[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await store.listEvents(before === undefined ? { integrationId: 'int-1', limit: 3 } : { integrationId: 'int-1', limit: 3, before });
      if (page.length === 0) break;
      seen.push(...page.map((e) => e.body.n));
      before = page.at(-1)?.id;
    }
    assert.deepEqual(seen, [6, 5, 4, 3, 2, 1, 0]);
    await rejectsWithCode(store.listEvents({ before: 'no-such-event' }), 'NOT_FOUND');
  });

  it('prunes events by age', async (t) => {
    const store = await freshStore(t, h);
    await store.addEvents([ev(1, T0), ev(2, T0 + 100), ev(3, T0 + 200), ev(4, T0 + 50, { integrationId: null })]);
    assert.equal(await store.pruneEvents({ olderThan: T0 + 100, maxPerIntegration: 1000 }), 2);
    assert.deepEqual((await store.listEvents({})).map((e) => e.body.n), [3, 2]);
    assert.equal(await store.pruneEvents({ olderThan: T0, maxPerIntegration: 1000 }), 0);
  });

  it('prunes events to the newest N per integration', async (t) => {
    const store = await freshStore(t, h);
    const events: EventInput[] = [];
    for (let n = 0; n < 5; n++) events.push(ev(n, T0 + n), ev(10 + n, T0 + n, { integrationId: 'int-2' }));
    events.push(ev(20, T0, { integrationId: null }), ev(21, T0 + 1, { integrationId: null }), ev(22, T0 + 2, { integrationId: null }));
    await store.addEvents(events);
    assert.equal(await store.pruneEvents({ olderThan: 0, maxPerIntegration: 2 }), 3 + 3 + 1);
    assert.deepEqual((await store.listEvents({ integrationId: 'int-1' })).map((e) => e.body.n), [4, 3]);
    assert.deepEqual((await store.listEvents({ integrationId: 'int-2' })).map((e) => e.body.n), [14, 13]);
    assert.deepEqual((await store.listEvents({})).filter((e) => e.integrationId === null).map((e) => e.body.n), [22, 21]);
  });
}

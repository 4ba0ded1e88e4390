/** Contract: the audit log: entries round-trip, filters, paging, pruning. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AuditInput } from '../../../src/store/types.ts';
import type { StoreHarness } from './fixtures.ts';
import { T0, freshStore, rejectsWithCode } from './fixtures.ts';

const entry = (ts: number, extra: Partial<AuditInput> = {}): AuditInput => ({
  ts, source: 'api', actor: 'ops token', action: 'update', entityKind: 'integration', entityId: 'int-1', entityName: 'plant-a',
  before: { enabled: true }, after: { enabled: false }, ...extra,
});

export function auditContract(h: StoreHarness): void {
  it('stores entries with their JSON and lists them newest first (ties in insertion order), by every filter', async (t) => {
    const store = await freshStore(t, h);
    await store.addAudit([
      entry(T0, { action: 'create', before: null, after: { name: 'plant-a', config: { key: '***', nested: [1, 'a', null] } } }),
      entry(T0 + 10, { actor: 'cli', source: 'cli', entityKind: 'token', entityId: 'tok-1', entityName: 'ci', action: 'create', before: null, after: { name: 'ci', role: 'viewer' } }),
      entry(T0 + 10, { source: 'config-file', actor: 'config-file', entityKind: 'converter', entityId: 'conv-1', entityName: 'decoder' }),
      entry(T0 + 20, { action: 'delete', after: null }),
      entry(T0 + 5, { entityKind: 'dead-letter', entityId: 'dl-1', entityName: null, action: 'discard', before: { state: 'pending' }, after: { state: 'discarded' } }),
    ]);
    await store.addAudit([]);
    const all = await store.listAudit({});
    assert.deepEqual(all.map((e) => `${e.entityKind}:${e.action}`), ['integration:delete', 'converter:update', 'token:create', 'dead-letter:discard', 'integration:create']);
    assert.equal(new Set(all.map((e) => e.id)).size, 5);
    const created = all.at(-1);
    assert.deepEqual(created && { ...created, id: '' }, {
      id: '', ts: T0, source: 'api', actor: 'ops token', action: 'create', entityKind: 'integration', entityId: 'int-1', entityName: 'plant-a',
      before: null, after: { name: 'plant-a', config: { key: '***', nested: [1, 'a', null] } },
    });
    assert.equal(all.find((e) => e.entityKind === 'dead-letter')?.entityName, null);

    const actions = async (q: Parameters<typeof store.listAudit>[0]): Promise<string[]> => (await store.listAudit(q)).map((e) => `${e.entityKind}:${e.action}`);
    assert.deepEqual(await actions({ entityKind: 'integration' }), ['integration:delete', 'integration:create']);
    assert.deepEqual(await actions({ entity: 'plant-a' }), ['integration:delete', 'integration:create'], 'by name');
    assert.deepEqual(await actions({ entity: 'conv-1' }), ['converter:update'], 'by id');
    assert.deepEqual(await actions({ entityKind: 'converter', entity: 'plant-a' }), []);
    assert.deepEqual(await actions({ actor: 'cli' }), ['token:create']);
    assert.deepEqual(await actions({ action: 'create' }), ['token:create', 'integration:create']);
    assert.deepEqual(await actions({ action: 'create', entityKind: 'integration' }), ['integration:create']);
    assert.deepEqual(await actions({ source: 'config-file' }), ['converter:update']);
    assert.deepEqual(await actions({ from: T0 + 5, to: T0 + 20 }), ['converter:update', 'token:create', 'dead-letter:discard']);
    assert.deepEqual(await actions({ limit: 2 }), ['integration:delete', 'converter:update']);
  });

  it('pages with `before` through entries that share a timestamp; an unknown anchor is NOT_FOUND', async (t) => {
    const store = await freshStore(t, h);
    const entries: AuditInput[] = [];
    for (let n = 0; n < 7; n++) entries.push(entry(T0 + Math.floor(n / 3), { after: { n } }));
    entries.push(entry(T0 + 1, { actor: 'someone else', after: { n: 100 } }));
    await store.addAudit(entries);
    const seen: unknown[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await store.listAudit({ actor: 'ops token', limit: 3, ...(before === undefined ? {} : { before }) });
      if (page.length === 0) break;
      seen.push(...page.map((e) => (e.after as { n: number }).n));
      before = page.at(-1)?.id;
    }
    assert.deepEqual(seen, [6, 5, 4, 3, 2, 1, 0]);
    await rejectsWithCode(store.listAudit({ before: 'no-such-entry' }), 'NOT_FOUND');
  });

  it('prunes entries older than the cutoff, and they stay across a reopen', async (t) => {
    const store = await h.open();
    await store.addAudit([entry(T0, { after: { n: 1 } }), entry(T0 + 100, { after: { n: 2 } }), entry(T0 + 200, { after: { n: 3 } })]);
    assert.equal(await store.pruneAudit(T0 + 100), 1);
    assert.equal(await store.pruneAudit(T0 + 100), 0);
    await store.close();
    const reopened = await h.reopen(store);
    t.after(() => reopened.close());
    assert.deepEqual((await reopened.listAudit({})).map((e) => (e.after as { n: number }).n), [3, 2]);
  });
}

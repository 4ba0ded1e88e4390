/** Contract: dead-letter listing and states, the downlink queue, the conversion journal, settings and tokens. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ApiToken } from '../../../src/store/types.ts';
import type { StoreHarness } from './fixtures.ts';
import { batch, failed, freshStore, rejectsWithCode } from './fixtures.ts';

const convertError = { stage: 'convert' as const, errorCode: 'CONVERTER_RUNTIME', error: 'boom' };

export function queuesContract(h: StoreHarness): void {
  it('lists dead letters newest first with filters, paging and a total, and tracks their state', async (t) => {
    const store = await freshStore(t, h);
    await store.commitUplinks(batch([failed('a1', convertError), failed('a2', convertError)], { integrationId: 'int-1' }));
    await store.commitUplinks(batch([failed('b1', convertError)], { integrationId: 'int-2' }));
    await store.commitUplinks(batch([failed('a3', convertError)], { integrationId: 'int-1' }));

    const all = await store.listDeadLetters({});
    assert.equal(all.total, 4);
    assert.deepEqual(all.items.map((d) => d.sourceKey), ['a3', 'b1', 'a2', 'a1']);
    const page = await store.listDeadLetters({ integrationId: 'int-1', limit: 2, offset: 1 });
    assert.deepEqual([page.total, page.items.map((d) => d.sourceKey)], [3, ['a2', 'a1']]);

    const a2 = all.items[2];
    assert.ok(a2);
    await store.setDeadLetterState(a2.id, 'replayed');
    await store.setDeadLetterState(a2.id, 'pending');
    await store.setDeadLetterState(a2.id, 'replayed');
    const replayed = await store.getDeadLetter(a2.id);
    assert.deepEqual([replayed?.state, replayed?.replayCount], ['replayed', 2]);
    await store.setDeadLetterState(all.items[0]?.id ?? '', 'discarded');

    assert.deepEqual((await store.listDeadLetters({ state: 'pending' })).items.map((d) => d.sourceKey), ['b1', 'a1']);
    assert.deepEqual((await store.listDeadLetters({ integrationId: 'int-1', state: 'discarded' })).items.map((d) => d.sourceKey), ['a3']);
    assert.deepEqual((await store.listDeadLetters({ stage: 'convert', errorCode: 'CONVERTER_RUNTIME', integrationId: 'int-2' })).items.map((d) => d.sourceKey), ['b1']);
    assert.equal((await store.listDeadLetters({ errorCode: 'OTHER' })).total, 0);
    assert.equal((await store.listDeadLetters({ stage: 'provision' })).total, 0);
    const createdAt = all.items[0]?.createdAt ?? 0;
    assert.equal((await store.listDeadLetters({ from: createdAt })).total, 4 - all.items.filter((d) => d.createdAt < createdAt).length);
    assert.equal((await store.listDeadLetters({ to: createdAt + 1, from: createdAt + 1 })).total, 0);
    assert.equal((await store.listDeadLetters({ to: Math.min(...all.items.map((d) => d.createdAt)) })).total, 0);
    assert.equal(await store.getDeadLetter('no-such-id'), null);
    await rejectsWithCode(store.setDeadLetterState('no-such-id', 'discarded'), 'NOT_FOUND');
  });

  it('runs the downlink queue: queued oldest first, sent or failed with attempts and the last error', async (t) => {
    const store = await freshStore(t, h);
    const first = await store.enqueueDownlink({
      integrationId: 'int-1', deviceName: 'dev-1', msgType: 'RPC_CALL', msg: { method: 'reboot', params: { delayS: 5 } }, metadata: { rpcId: '7' },
    });
    assert.equal(first.status, 'queued');
    assert.deepEqual([first.attempts, first.error, first.msg, first.metadata], [0, null, { method: 'reboot', params: { delayS: 5 } }, { rpcId: '7' }]);
    assert.ok(first.createdAt > 0 && first.updatedAt >= first.createdAt);
    assert.deepEqual(await store.getDownlink(first.id), first);

    const second = await store.enqueueDownlink({ integrationId: 'int-1', deviceName: 'dev-2', msgType: 'ATTRIBUTES_UPDATED', msg: 'text', metadata: {} });
    const third = await store.enqueueDownlink({ integrationId: 'int-1', deviceName: 'dev-1', msgType: 'RPC_CALL', msg: [1, 2], metadata: {} });
    await store.enqueueDownlink({ integrationId: 'int-2', deviceName: 'dev-9', msgType: 'RPC_CALL', msg: null, metadata: {} });

    assert.deepEqual((await store.listQueuedDownlinks('int-1', 10)).map((d) => d.id), [first.id, second.id, third.id]);
    assert.deepEqual((await store.listQueuedDownlinks('int-1', 2)).map((d) => d.id), [first.id, second.id]);

    await store.markDownlink(first.id, 'sent');
    await store.markDownlink(second.id, 'queued', 'connection lost');
    await store.markDownlink(third.id, 'failed', 'device offline');
    assert.deepEqual((await store.listQueuedDownlinks('int-1', 10)).map((d) => d.id), [second.id]);

    const sent = await store.getDownlink(first.id);
    assert.deepEqual([sent?.status, sent?.attempts, sent?.error], ['sent', 1, null]);
    const retried = await store.getDownlink(second.id);
    assert.deepEqual([retried?.status, retried?.attempts, retried?.error], ['queued', 1, 'connection lost']);
    await store.markDownlink(second.id, 'sent');
    const done = await store.getDownlink(second.id);
    assert.deepEqual([done?.status, done?.attempts, done?.error], ['sent', 2, null]);
    const failedOne = await store.getDownlink(third.id);
    assert.deepEqual([failedOne?.status, failedOne?.attempts, failedOne?.error, failedOne?.msg], ['failed', 1, 'device offline', [1, 2]]);

    assert.deepEqual((await store.listDownlinks({ integrationId: 'int-1' })).map((d) => d.id), [third.id, second.id, first.id]);
    assert.deepEqual((await store.listDownlinks({ deviceName: 'dev-1' })).map((d) => d.id), [third.id, first.id]);
    assert.equal((await store.listDownlinks({ limit: 1 })).length, 1);
    assert.equal(await store.getDownlink('no-such-id'), null);
    await rejectsWithCode(store.markDownlink('no-such-id', 'sent'), 'NOT_FOUND');
  });

  it('records a sent downlink\'s final outcome once; a later send mark leaves it', async (t) => {
    const store = await freshStore(t, h);
    const d = await store.enqueueDownlink({ integrationId: 'int-1', deviceName: 'dev-1', msgType: 'RPC_CALL', msg: {}, metadata: {} });
    assert.deepEqual([d.outcome, d.outcomeDetail, d.outcomeAt], [null, null, null]);
    // The cloud's feedback may arrive before the send is marked: the mark must not erase it.
    assert.equal(await store.recordDownlinkOutcome(d.id, 'expired', 'Message expired', 1234), true);
    await store.markDownlink(d.id, 'sent');
    assert.equal(await store.recordDownlinkOutcome(d.id, 'delivered', 'Success', 5678), false);
    const got = await store.getDownlink(d.id);
    assert.deepEqual([got?.status, got?.outcome, got?.outcomeDetail, got?.outcomeAt], ['sent', 'expired', 'Message expired', 1234]);
    await rejectsWithCode(store.recordDownlinkOutcome('no-such-id', 'delivered', null, 1), 'NOT_FOUND');
    await rejectsWithCode(store.recordDownlinkOutcome(d.id, 'lost' as never, null, 1), 'CONFIG_INVALID');
  });

  it('keeps one conversion journal entry per integration, replaced by the next and gone when cleared', async (t) => {
    const store = await freshStore(t, h);
    assert.equal(await store.getConversionJournal('int-1'), null);
    await store.setConversionJournal('int-1', { sourceKeys: ['a', 'b'], startedAt: 1_700_000_000_000 });
    await store.setConversionJournal('int-2', { sourceKeys: ['x'], startedAt: 1_700_000_000_001 });
    await store.setConversionJournal('int-1', { sourceKeys: ['c'], startedAt: 1_700_000_000_002 });
    assert.deepEqual(await store.getConversionJournal('int-1'), { sourceKeys: ['c'], startedAt: 1_700_000_000_002 });
    await store.clearConversionJournal('int-1');
    await store.clearConversionJournal('int-3');
    assert.equal(await store.getConversionJournal('int-1'), null);
    assert.deepEqual(await store.getConversionJournal('int-2'), { sourceKeys: ['x'], startedAt: 1_700_000_000_001 });
    await store.close();
    const reopened = await h.reopen(store);
    t.after(() => reopened.close());
    assert.deepEqual(await reopened.getConversionJournal('int-2'), { sourceKeys: ['x'], startedAt: 1_700_000_000_001 }, 'it survives a restart');
  });

  it('keeps settings and API tokens (token hashes are unique)', async (t) => {
    const store = await freshStore(t, h);
    assert.equal(await store.getSetting('master.key.check'), null);
    await store.setSetting('master.key.check', 'v1');
    await store.setSetting('master.key.check', 'v2');
    await store.setSetting('empty', '');
    assert.equal(await store.getSetting('master.key.check'), 'v2');
    assert.equal(await store.getSetting('empty'), '');

    assert.deepEqual(await store.listTokens(), []);
    const admin: ApiToken = { id: 'tok-1', name: 'bootstrap', role: 'admin', hash: 'a'.repeat(64), createdAt: 1000 };
    const viewer: ApiToken = { id: 'tok-2', name: 'grafana', role: 'viewer', hash: 'b'.repeat(64), createdAt: 2000 };
    await store.addToken(viewer);
    await store.addToken(admin);
    assert.deepEqual(await store.listTokens(), [admin, viewer]);
    await rejectsWithCode(store.addToken({ ...viewer, id: 'tok-3', name: 'copy' }), 'CONFLICT');
    await rejectsWithCode(store.addToken({ ...viewer, hash: 'c'.repeat(64) }), 'CONFLICT');
    assert.equal((await store.listTokens()).length, 2);
    assert.equal(await store.deleteToken('tok-2'), true, 'revoked');
    assert.equal(await store.deleteToken('tok-2'), false, 'already gone');
    assert.equal(await store.deleteToken('no-such-token'), false);
    assert.deepEqual(await store.listTokens(), [admin]);
  });
}

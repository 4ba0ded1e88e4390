/**
 * Contract: partition leases of partitioned sources (ADR 008): ensure, list, claim with an
 * expected token (optimistic concurrency, also to steal), renew, release, checkpoint and meta
 * writes that succeed only for the current owner and token, remove.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { PartitionLease } from '../../../src/core/partitions.ts';
import type { StoreHarness } from './fixtures.ts';
import { freshStore, rejectsWithCode } from './fixtures.ts';

const MINUTE = 60_000;

/** A lease without its expiry, which is compared on its own (now + ttl in the store's clock). */
function held(l: PartitionLease | null | undefined): Omit<PartitionLease, 'expiresAt'> | null {
  assert.ok(l, 'lease expected');
  return { partition: l.partition, owner: l.owner, token: l.token, checkpoint: l.checkpoint, meta: l.meta };
}

/** Asserts the expiry is `ttlMs` after a moment between `before` and now (a little slack for the database's clock). */
function assertExpiresIn(l: PartitionLease | null | undefined, before: number, ttlMs: number): void {
  assert.ok(l);
  assert.ok(l.expiresAt >= before + ttlMs - 50 && l.expiresAt <= Date.now() + ttlMs + 50,
    `expiresAt ${l.expiresAt} should be about now + ${ttlMs} (${before + ttlMs}..${Date.now() + ttlMs})`);
}

export function leasesContract(h: StoreHarness): void {
  it('ensure creates unowned leases (token 0, no checkpoint) and only merges meta into existing ones; list is per integration, by partition', async (t) => {
    const store = await freshStore(t, h);
    await store.ensureLeases('int-1', [{ partition: 'shard-2', meta: { parent: 'shard-0' } }, { partition: 'shard-10' }, { partition: 'shard-1' }]);
    await store.ensureLeases('int-2', [{ partition: 'shard-1' }]);
    assert.deepEqual(await store.listLeases('int-1'), [
      { partition: 'shard-1', owner: null, token: 0, expiresAt: 0, checkpoint: null, meta: {} },
      { partition: 'shard-10', owner: null, token: 0, expiresAt: 0, checkpoint: null, meta: {} },
      { partition: 'shard-2', owner: null, token: 0, expiresAt: 0, checkpoint: null, meta: { parent: 'shard-0' } },
    ]);

    const lease = await store.claimLease('int-1', 'shard-1', 'instance-a', 0, MINUTE);
    assert.ok(lease);
    assert.equal(await store.writeCheckpoint('int-1', 'shard-1', { owner: 'instance-a', token: lease.token }, '49590338271490256608559692538361571095921575989136588898'), true);
    await store.ensureLeases('int-1', [
      { partition: 'shard-1', meta: { finished: 'false' } }, { partition: 'shard-2', meta: { parent: 'shard-00', depth: '1' } }, { partition: 'shard-3' },
    ]);
    const leases = await store.listLeases('int-1');
    assert.deepEqual(leases.map(held), [
      { partition: 'shard-1', owner: 'instance-a', token: 1, checkpoint: '49590338271490256608559692538361571095921575989136588898', meta: { finished: 'false' } },
      { partition: 'shard-10', owner: null, token: 0, checkpoint: null, meta: {} },
      { partition: 'shard-2', owner: null, token: 0, checkpoint: null, meta: { parent: 'shard-00', depth: '1' } },
      { partition: 'shard-3', owner: null, token: 0, checkpoint: null, meta: {} },
    ]);
    assert.ok(Math.abs((leases[0]?.expiresAt ?? 0) - lease.expiresAt) < 1000, 'ensure leaves the owner\'s expiry alone');
    assert.deepEqual((await store.listLeases('int-2')).map((l) => l.partition), ['shard-1']);
    assert.deepEqual(await store.listLeases('int-3'), []);
    await store.ensureLeases('int-1', []);
  });

  it('claim is a compare-and-set on the token: it creates a missing lease, increments the token, and a stale expected token gets null', async (t) => {
    const store = await freshStore(t, h);
    const before = Date.now();
    const a = await store.claimLease('int-1', 'p0', 'instance-a', 0, MINUTE);
    assert.deepEqual(held(a), { partition: 'p0', owner: 'instance-a', token: 1, checkpoint: null, meta: {} });
    assertExpiresIn(a, before, MINUTE);
    assert.equal(await store.claimLease('int-1', 'p0', 'instance-b', 0, MINUTE), null, 'another instance was quicker');
    assert.equal(await store.claimLease('int-1', 'p0', 'instance-b', 7, MINUTE), null);
    assert.equal(await store.claimLease('int-1', 'p1', 'instance-b', 1, MINUTE), null, 'a missing lease has token 0');
    assert.deepEqual(await store.listLeases('int-1').then((l) => l.map((x) => x.partition)), ['p0']);

    // Taking over a lease that has not expired (a steal, or a hand-off): the caller decides, the token fences.
    const b = await store.claimLease('int-1', 'p0', 'instance-b', 1, MINUTE);
    assert.deepEqual(held(b), { partition: 'p0', owner: 'instance-b', token: 2, checkpoint: null, meta: {} });
    assert.equal(await store.claimLease('int-1', 'p0', 'instance-a', 1, MINUTE), null);
    const again = await store.claimLease('int-1', 'p0', 'instance-b', 2, MINUTE);
    assert.equal(again?.token, 3, 'even its own owner claiming again gets a new token');
    assert.deepEqual((await store.listLeases('int-1')).map(held), [{ partition: 'p0', owner: 'instance-b', token: 3, checkpoint: null, meta: {} }]);
  });

  it('renew, release, checkpoint and meta writes succeed only with the current owner and token', async (t) => {
    const store = await freshStore(t, h);
    const a = await store.claimLease('int-1', 'p0', 'instance-a', 0, MINUTE);
    assert.ok(a);
    const aToken = { owner: 'instance-a', token: a.token };
    assert.equal(await store.writeCheckpoint('int-1', 'p0', aToken, '100'), true);
    assert.equal(await store.setLeaseMeta('int-1', 'p0', aToken, { finished: 'true' }), true);
    assert.equal(await store.setLeaseMeta('int-1', 'p0', aToken, { children: 'p1,p2' }), true);
    const before = Date.now();
    const renewed = await store.renewLease('int-1', 'p0', aToken, 2 * MINUTE);
    assert.deepEqual(held(renewed), { partition: 'p0', owner: 'instance-a', token: 1, checkpoint: '100', meta: { finished: 'true', children: 'p1,p2' } });
    assertExpiresIn(renewed, before, 2 * MINUTE);

    const b = await store.claimLease('int-1', 'p0', 'instance-b', a.token, MINUTE);
    assert.equal(b?.checkpoint, '100', 'the claim returns the checkpoint to resume after');
    assert.ok(b);
    const bToken = { owner: 'instance-b', token: b.token };
    // The old owner is fenced out of every write.
    assert.equal(await store.renewLease('int-1', 'p0', aToken, MINUTE), null);
    assert.equal(await store.writeCheckpoint('int-1', 'p0', aToken, '200'), false);
    assert.equal(await store.setLeaseMeta('int-1', 'p0', aToken, { finished: 'false' }), false);
    assert.equal(await store.releaseLease('int-1', 'p0', aToken), false);
    // Neither the old owner with the new token nor the new owner with the old token passes.
    assert.equal(await store.writeCheckpoint('int-1', 'p0', { owner: 'instance-a', token: b.token }, '200'), false);
    assert.equal(await store.writeCheckpoint('int-1', 'p0', { owner: 'instance-b', token: a.token }, '200'), false);
    assert.equal(await store.writeCheckpoint('int-2', 'p0', bToken, '200'), false, 'nor the same lease of another integration');
    assert.deepEqual((await store.listLeases('int-1')).map(held), [
      { partition: 'p0', owner: 'instance-b', token: 2, checkpoint: '100', meta: { finished: 'true', children: 'p1,p2' } },
    ]);

    // Graceful hand-off: checkpoint, release; the next claim expects the same token.
    assert.equal(await store.writeCheckpoint('int-1', 'p0', bToken, '150'), true);
    assert.equal(await store.releaseLease('int-1', 'p0', bToken), true);
    assert.deepEqual(await store.listLeases('int-1'), [
      { partition: 'p0', owner: null, token: 2, expiresAt: 0, checkpoint: '150', meta: { finished: 'true', children: 'p1,p2' } },
    ]);
    assert.equal(await store.releaseLease('int-1', 'p0', bToken), false);
    assert.equal(await store.writeCheckpoint('int-1', 'p0', bToken, '160'), false, 'a released lease takes no checkpoint');
    assert.equal(await store.renewLease('int-1', 'p0', bToken, MINUTE), null);
    const c = await store.claimLease('int-1', 'p0', 'instance-c', 2, MINUTE);
    assert.deepEqual(held(c), { partition: 'p0', owner: 'instance-c', token: 3, checkpoint: '150', meta: { finished: 'true', children: 'p1,p2' } });
  });

  it('an expired lease is taken with its current token; until then its owner may still renew and checkpoint it (fencing is by token)', async (t) => {
    const store = await freshStore(t, h);
    const a = await store.claimLease('int-1', 'p0', 'instance-a', 0, 0);
    assert.ok(a);
    await new Promise((r) => setTimeout(r, 20));
    const [listed] = await store.listLeases('int-1');
    assert.ok(listed && listed.expiresAt > 0 && listed.expiresAt <= Date.now(), `expired: ${listed?.expiresAt} <= ${Date.now()}`);
    const aToken = { owner: 'instance-a', token: a.token };
    assert.equal(await store.writeCheckpoint('int-1', 'p0', aToken, '7'), true);
    const revived = await store.renewLease('int-1', 'p0', aToken, MINUTE);
    assert.ok(revived && revived.expiresAt > Date.now() + MINUTE / 2, 'nobody took it: the owner keeps it');

    const expired = await store.renewLease('int-1', 'p0', aToken, 0);
    assert.ok(expired);
    const b = await store.claimLease('int-1', 'p0', 'instance-b', expired.token, MINUTE);
    assert.deepEqual(held(b), { partition: 'p0', owner: 'instance-b', token: 2, checkpoint: '7', meta: {} });
    assert.equal(await store.renewLease('int-1', 'p0', aToken, MINUTE), null);
  });

  it('remove deletes the named leases whoever holds them; a removed lease starts again from token 0 without checkpoint', async (t) => {
    const store = await freshStore(t, h);
    for (const id of ['int-1', 'int-2']) {
      const l = await store.claimLease(id, 'p0', 'instance-a', 0, MINUTE);
      assert.ok(l);
      await store.writeCheckpoint(id, 'p0', { owner: 'instance-a', token: l.token }, '9');
      await store.ensureLeases(id, [{ partition: 'p1' }, { partition: 'p2' }]);
    }
    await store.removeLeases('int-1', ['p0', 'p2', 'no-such-partition']);
    await store.removeLeases('int-1', []);
    assert.deepEqual((await store.listLeases('int-1')).map((l) => l.partition), ['p1']);
    assert.deepEqual((await store.listLeases('int-2')).map((l) => [l.partition, l.checkpoint]), [['p0', '9'], ['p1', null], ['p2', null]]);
    const fresh = await store.claimLease('int-1', 'p0', 'instance-b', 0, MINUTE);
    assert.deepEqual(held(fresh), { partition: 'p0', owner: 'instance-b', token: 1, checkpoint: null, meta: {} });
  });

  it('of concurrent claims with the same expected token exactly one wins', async (t) => {
    const store = await freshStore(t, h);
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(['a', 'b', 'c'].map((who) => store.claimLease('int-1', 'p0', `instance-${who}`, round, MINUTE)));
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1, `round ${round}`);
      assert.equal(winners[0]?.token, round + 1);
    }
  });

  it('refuses malformed requests', async (t) => {
    const store = await freshStore(t, h);
    const lease = { owner: 'instance-a', token: 1 };
    await rejectsWithCode(store.claimLease('int-1', '', 'instance-a', 0, MINUTE), 'INTERNAL', 'partition');
    await rejectsWithCode(store.claimLease('int-1', 'p0', '', 0, MINUTE), 'INTERNAL', 'owner');
    await rejectsWithCode(store.claimLease('int-1', 'p0', 'instance-a', 1.5, MINUTE), 'INTERNAL', 'token');
    await rejectsWithCode(store.claimLease('int-1', 'p0', 'instance-a', 0, -1), 'INTERNAL', 'ttlMs');
    await rejectsWithCode(store.renewLease('int-1', 'p0', lease, Number.NaN), 'INTERNAL', 'ttlMs');
    await rejectsWithCode(store.setLeaseMeta('int-1', 'p0', lease, { n: 1 as unknown as string }), 'INTERNAL', 'meta "n"');
    await rejectsWithCode(store.ensureLeases('int-1', [{ partition: '' }]), 'INTERNAL', 'partition');
    await rejectsWithCode(store.writeCheckpoint('int-1', 'p0', lease, 5 as unknown as string), 'INTERNAL', 'position');
    assert.deepEqual(await store.listLeases('int-1'), []);
  });
}

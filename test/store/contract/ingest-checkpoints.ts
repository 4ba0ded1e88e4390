/**
 * Contract: checkpoints committed with the data (ADR 008). A commit's checkpoint is written in its
 * transaction only while the lease is current; a fenced-out owner's commit fails with LEASE_LOST
 * and stores nothing. Items with dedupe `none` record no key.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CommitCheckpoint, LeaseToken } from '../../../src/core/partitions.ts';
import type { Store } from '../../../src/store/types.ts';
import type { StoreHarness } from './fixtures.ts';
import { INTEGRATION, T0, batch, commitStatuses, dbl, failed, freshStore, json, record, rejectsWithCode, stored } from './fixtures.ts';

const MINUTE = 60_000;

/** Messages `first..last` of a shard: one point each on device `dev`, ts T0 + sequence, no dedupe key. */
function shardItems(first: number, last: number, dev = 'dev-1') {
  return Array.from({ length: last - first + 1 }, (_, i) => stored(`seq-${first + i}`, [record(dev, { points: [[T0 + first + i, 'seq', dbl(first + i)]] })], { dedupe: 'none' }));
}

function cp(partition: string, position: string, lease: LeaseToken): CommitCheckpoint {
  return { partition, position, lease: { owner: lease.owner, token: lease.token } };
}

async function claim(store: Store, partition: string, owner: string, expectedToken = 0, ttlMs = MINUTE): Promise<LeaseToken> {
  const lease = await store.claimLease(INTEGRATION, partition, owner, expectedToken, ttlMs);
  assert.ok(lease, `${owner} claims ${partition}`);
  return { owner, token: lease.token };
}

async function checkpointOf(store: Store, partition: string): Promise<string | null | undefined> {
  return (await store.listLeases(INTEGRATION)).find((l) => l.partition === partition)?.checkpoint;
}

export function ingestCheckpointsContract(h: StoreHarness): void {
  it('a commit with a checkpoint stores the position with the data', async (t) => {
    const store = await freshStore(t, h);
    const lease = await claim(store, 'shard-0', 'instance-a');
    assert.deepEqual(await commitStatuses(store, batch(shardItems(1, 3), { checkpoints: [cp('shard-0', '3', lease)] })), ['stored', 'stored', 'stored']);
    assert.equal(await checkpointOf(store, 'shard-0'), '3');
    assert.deepEqual(await commitStatuses(store, batch(shardItems(4, 5), { checkpoints: [cp('shard-0', '5', lease)] })), ['stored', 'stored']);
    assert.equal(await checkpointOf(store, 'shard-0'), '5');
    assert.equal(await store.countTelemetry(), 5);
    const [l] = await store.listLeases(INTEGRATION);
    assert.deepEqual([l?.owner, l?.token], ['instance-a', 1], 'a commit changes only the checkpoint');
    // A commit may carry the checkpoints of several partitions, and a checkpoint without messages.
    const other = await claim(store, 'shard-1', 'instance-a');
    await store.commitUplinks(batch(shardItems(6, 6), { checkpoints: [cp('shard-1', 'x-6', other), cp('shard-0', '5', lease)] }));
    await store.commitUplinks(batch([], { checkpoints: [cp('shard-1', 'x-7', other)] }));
    assert.deepEqual([await checkpointOf(store, 'shard-0'), await checkpointOf(store, 'shard-1')], ['5', 'x-7']);
  });

  it('a fenced-out owner\'s commit fails with LEASE_LOST naming the partition: nothing of the batch is stored, the position stays', async (t) => {
    const store = await freshStore(t, h);
    const a = await claim(store, 'shard-0', 'instance-a');
    await store.commitUplinks(batch(shardItems(1, 2), { checkpoints: [cp('shard-0', '2', a)] }));
    // instance-a froze past its expiry; instance-b took the lease over.
    const b = await claim(store, 'shard-0', 'instance-b', a.token);

    const late = batch([
      ...shardItems(3, 4, 'late-device'),
      stored('keyed', [record('dev-1', { points: [[T0 + 100, 't', dbl(1)]], attributes: { fw: dbl(2) } })], { dedupe: 'check' }),
      failed('bad', { stage: 'convert', errorCode: 'CONVERTER_RUNTIME', error: 'boom' }, { dedupe: 'record-only' }),
    ], { checkpoints: [cp('shard-0', '4', a)], events: [{ integrationId: INTEGRATION, type: 'DEBUG_UPLINK', ts: T0, body: { n: 1 } }] });
    await assert.rejects(store.commitUplinks(late), (err: unknown) => {
      const e = err as { code?: string; message: string; retryable?: boolean; details?: Record<string, unknown> };
      assert.equal(e.code, 'LEASE_LOST');
      assert.equal(e.retryable, true);
      assert.match(e.message, /partition "shard-0"/);
      assert.match(e.message, /held by "instance-b" with token 2/);
      assert.deepEqual(e.details, {
        integrationId: INTEGRATION, partition: 'shard-0', owner: 'instance-a', token: 1, currentOwner: 'instance-b', currentToken: 2,
      });
      return true;
    });

    assert.equal(await store.getEntity('DEVICE', 'late-device'), null);
    assert.equal(await store.countTelemetry(), 2);
    assert.deepEqual(await store.listAttributes((await store.getEntity('DEVICE', 'dev-1'))?.id ?? ''), []);
    assert.equal((await store.listDeadLetters({})).total, 0);
    assert.deepEqual(await store.listEvents({}), []);
    const [lease] = await store.listLeases(INTEGRATION);
    assert.deepEqual([lease?.owner, lease?.token, lease?.checkpoint], ['instance-b', 2, '2']);

    // The new owner resumes after the checkpoint and commits the same messages; no dedupe key was left behind.
    const redelivered = { ...late, checkpoints: [cp('shard-0', '4', b)] };
    assert.deepEqual(await commitStatuses(store, redelivered), ['stored', 'stored', 'stored', 'dead-lettered']);
    assert.equal(await checkpointOf(store, 'shard-0'), '4');
    assert.equal(await store.countTelemetry(), 5);
  });

  it('LEASE_LOST also for a released lease, an unknown partition or a wrong token; one stale checkpoint rolls back the others', async (t) => {
    const store = await freshStore(t, h);
    const s0 = await claim(store, 'shard-0', 'instance-a');
    const s1 = await claim(store, 'shard-1', 'instance-a');
    await rejectsWithCode(store.commitUplinks(batch(shardItems(1, 1), {
      checkpoints: [cp('shard-1', '1', s1), cp('shard-0', '1', { owner: 'instance-a', token: 5 })],
    })), 'LEASE_LOST', /partition "shard-0".*held by "instance-a" with token 1/);
    assert.deepEqual([await checkpointOf(store, 'shard-0'), await checkpointOf(store, 'shard-1')], [null, null]);
    await rejectsWithCode(store.commitUplinks(batch(shardItems(1, 1), { checkpoints: [cp('shard-9', '1', s0)] })), 'LEASE_LOST', /"shard-9".*does not exist/);
    await rejectsWithCode(store.commitUplinks(batch(shardItems(1, 1), { checkpoints: [cp('shard-0', '1', s0)], integrationId: 'int-other' })),
      'LEASE_LOST', 'does not exist');
    assert.equal(await store.releaseLease(INTEGRATION, 'shard-0', s0), true);
    await rejectsWithCode(store.commitUplinks(batch(shardItems(1, 1), { checkpoints: [cp('shard-0', '1', s0)] })), 'LEASE_LOST', 'released (token 1)');
    assert.equal(await store.countTelemetry(), 0);
    assert.equal(await store.getEntity('DEVICE', 'dev-1'), null);
  });

  it('an expired lease nobody has claimed still commits: fencing is by token, not by clock', async (t) => {
    const store = await freshStore(t, h);
    const lease = await claim(store, 'shard-0', 'instance-a', 0, 0);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await commitStatuses(store, batch(shardItems(1, 2), { checkpoints: [cp('shard-0', '2', lease)] })), ['stored', 'stored']);
    assert.equal(await checkpointOf(store, 'shard-0'), '2');
  });

  it('items with dedupe none record no key and are never duplicates', async (t) => {
    const store = await freshStore(t, h);
    const point = (i: number) => [record('dev-1', { points: [[T0 + i, 't', dbl(i)]] })];
    assert.deepEqual(await commitStatuses(store, batch([
      stored('n1', point(1), { dedupe: 'none' }), stored('n1', point(2), { dedupe: 'none' }),
      stored('r1', point(3), { dedupe: 'record-only' }), stored('r1', point(4), { dedupe: 'none' }),
    ])), ['stored', 'stored', 'stored', 'stored']);
    assert.deepEqual(await commitStatuses(store, batch([stored('n1', point(5), { dedupe: 'none' }), stored('r1', point(6), { dedupe: 'none' })])), ['stored', 'stored']);
    // No key of n1 was recorded: a checked n1 is new, and records its key now.
    assert.deepEqual(await commitStatuses(store, batch([stored('n1', point(7), { dedupe: 'check' }), stored('r1', point(8), { dedupe: 'check' })])), ['stored', 'duplicate']);
    assert.deepEqual(await commitStatuses(store, batch([stored('n1', point(9), { dedupe: 'check' }), stored('n1', point(10), { dedupe: 'none' })])), ['duplicate', 'stored']);
    assert.equal(await store.countTelemetry(), 8);
    assert.equal(await store.pruneDedupeKeys(Date.now() + 60_000), 2, 'only r1 and the checked n1 have keys');
  });

  it('a commit that dies before COMMIT leaves neither its data nor its position, also after close and reopen', async (t) => {
    const first = await h.open();
    const lease = await claim(first, 'shard-0', 'instance-a');
    await first.commitUplinks(batch(shardItems(1, 2), { checkpoints: [cp('shard-0', '2', lease)] }));
    // The checkpoint is the commit's first write; the unserialisable value fails it afterwards.
    await assert.rejects(first.commitUplinks(batch([
      ...shardItems(3, 4, 'new-device'),
      stored('seq-5', [record('new-device', { points: [[T0 + 5, 'blob', json(10n)]] })], { dedupe: 'none' }),
    ], { checkpoints: [cp('shard-0', '5', lease)] })), (err: unknown) => (err as { code?: string }).code !== 'LEASE_LOST');
    await first.close();

    const store = await h.reopen(first);
    t.after(() => store.close());
    assert.equal(await checkpointOf(store, 'shard-0'), '2');
    assert.equal(await store.getEntity('DEVICE', 'new-device'), null);
    assert.equal(await store.countTelemetry(), 2);
    // The lease is still the owner's: it commits the batch again.
    assert.deepEqual(await commitStatuses(store, batch(shardItems(3, 5, 'new-device'), { checkpoints: [cp('shard-0', '5', lease)] })), ['stored', 'stored', 'stored']);
    assert.equal(await checkpointOf(store, 'shard-0'), '5');
  });
}

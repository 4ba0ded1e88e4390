/** The shard lease table (shard-plan.ts) and fair shares (lease-balance.ts), without I/O. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PartitionLease } from '../../../src/core/partitions.ts';
import type { KinesisShard } from '../../../src/connectors/aws-kinesis/kinesis-api.ts';
import { balance } from '../../../src/connectors/aws-kinesis/lease-balance.ts';
import { isReadable, LeaseKeys, planSync } from '../../../src/connectors/aws-kinesis/shard-plan.ts';

const keys = new LeaseKeys('app', 'stream');

function shard(id: number, opts: { parent?: number; adjacent?: number; closed?: boolean } = {}): KinesisShard {
  const name = (n: number): string => `shardId-${String(n).padStart(12, '0')}`;
  return {
    shardId: name(id),
    parentShardId: opts.parent === undefined ? undefined : name(opts.parent),
    adjacentParentShardId: opts.adjacent === undefined ? undefined : name(opts.adjacent),
    startingSequenceNumber: '1', endingSequenceNumber: opts.closed ? '9' : undefined, startingHashKey: '0', endingHashKey: '1',
  };
}

function lease(shardId: string, o: Partial<PartitionLease> = {}, meta: Record<string, string> = {}): PartitionLease {
  return { partition: keys.partition(shardId), owner: null, token: 0, expiresAt: 0, checkpoint: null, meta: { shardId, parents: '', ...meta }, ...o };
}

const ids = (plan: ReturnType<typeof planSync>): string[] => plan.create.map((c) => c.meta.shardId as string);
const id = (n: number): string => `shardId-${String(n).padStart(12, '0')}`;

// 0 split into 2 and 3; 3 merged with 1 into 4.
const reshardedStream = [shard(0, { closed: true }), shard(1, { closed: true }), shard(2, { parent: 0 }), shard(3, { parent: 0, closed: true }), shard(4, { parent: 3, adjacent: 1 })];

describe('shard lease plan', () => {
  it('first sync, TRIM_HORIZON: a lease for every shard; children name their parents and start at TRIM_HORIZON', () => {
    const plan = planSync(reshardedStream, new Map(), keys, 'TRIM_HORIZON');
    assert.deepEqual(ids(plan), [id(0), id(1), id(2), id(3), id(4)]);
    assert.deepEqual(plan.create[4]?.meta, { shardId: id(4), parents: `${id(3)},${id(1)}`, start: 'TRIM_HORIZON' });
    assert.equal(plan.create[0]?.partition, `app/stream/${id(0)}`);
  });

  it('first sync, LATEST: only open shards, each starting at LATEST (no parents to wait for)', () => {
    const plan = planSync(reshardedStream, new Map(), keys, 'LATEST');
    assert.deepEqual(ids(plan), [id(2), id(4)]);
    assert.deepEqual(plan.create.map((c) => c.meta.parents), ['', '']);
    assert.equal(plan.create[0]?.meta.start, undefined);
  });

  it('later syncs add the children of a reshard, waiting for the parents that have leases', () => {
    const known = keys.mine([lease(id(0), { owner: 'a', expiresAt: 10 }), lease(id(1))]);
    const plan = planSync([shard(0, { closed: true }), shard(1), shard(2, { parent: 0 }), shard(3, { parent: 0 })], known, keys, 'LATEST');
    assert.deepEqual(ids(plan), [id(2), id(3)]);
    assert.deepEqual(plan.create.map((c) => [c.meta.parents, c.meta.start]), [[id(0), 'TRIM_HORIZON'], [id(0), 'TRIM_HORIZON']]);
  });

  it('never creates a lease again for a closed shard whose descendants have leases (its own was removed)', () => {
    const known = keys.mine([lease(id(2)), lease(id(4), {}, { parents: '' })]);
    assert.deepEqual(ids(planSync(reshardedStream, known, keys, 'TRIM_HORIZON')), []);
  });

  it('removes a finished lease once every child started, or once its shard left the stream', () => {
    const finished = { checkpoint: 'SHARD_END' };
    const known = keys.mine([
      lease(id(0), finished), lease(id(2), { owner: 'a', expiresAt: 5, token: 1 }, { parents: id(0) }), lease(id(3), {}, { parents: id(0) }),
      lease(id(9), finished),
    ]);
    const shards = [shard(0, { closed: true }), shard(2, { parent: 0 }), shard(3, { parent: 0 })];
    assert.deepEqual(planSync(shards, known, keys, 'TRIM_HORIZON').remove, [keys.partition(id(9))], 'child 3 has not started yet');
    const started = keys.mine([...[...known.values()].map((i) => i.lease).filter((l) => !l.partition.endsWith(id(3))), lease(id(3), { checkpoint: '77' }, { parents: id(0) })]);
    assert.deepEqual(planSync(shards, started, keys, 'TRIM_HORIZON').remove.sort(), [keys.partition(id(0)), keys.partition(id(9))].sort());
  });

  it('a child is readable once every parent is finished or gone', () => {
    const known = keys.mine([lease(id(1), { checkpoint: 'SHARD_END' }), lease(id(3), { checkpoint: '5' }), lease(id(4), {}, { parents: `${id(3)},${id(1)}` })]);
    assert.equal(isReadable(known.get(id(4))!, known), false, 'parent 3 is still being read');
    const later = keys.mine([lease(id(1), { checkpoint: 'SHARD_END' }), lease(id(4), {}, { parents: `${id(3)},${id(1)}` })]);
    assert.equal(isReadable(later.get(id(4))!, later), true, 'parent 3 removed, parent 1 finished');
    assert.equal(isReadable(later.get(id(1))!, later), false, 'a finished shard is not read again');
  });

  it('ignores the leases of other applications and streams', () => {
    const other = new LeaseKeys('app', 'other');
    assert.equal(keys.mine([lease(id(0)), { ...lease(id(1)), partition: other.partition(id(1)) }]).size, 1);
  });
});

describe('fair shares', () => {
  const now = 1000;
  const l = (n: number, owner: string | null, expiresAt = now + 5000): PartitionLease => lease(id(n), { owner, expiresAt, token: owner ? 1 : 0 });
  const fixed = (): number => 0.5;

  it('a lone instance claims every free lease', () => {
    const d = balance({ readable: [0, 1, 2, 3].map((n) => l(n, null)), me: 'a', now, random: fixed });
    assert.equal(d.claim.length, 4);
    assert.equal(d.reason, 'free');
  });

  it('expired leases are free: a dead instance\'s shards are claimed up to the fair share', () => {
    const readable = [l(0, 'a'), l(1, 'a'), l(2, 'dead', now - 1), l(3, 'dead', now - 1)];
    const d = balance({ readable, me: 'b', now, random: fixed });
    assert.deepEqual(d.claim.map((c) => c.partition).sort(), [keys.partition(id(2)), keys.partition(id(3))]);
    assert.equal(d.liveInstances, 2);
  });

  it('a newcomer steals one lease per cycle from the most loaded instance, only while that helps', () => {
    const all = [0, 1, 2, 3].map((n) => l(n, 'a'));
    const first = balance({ readable: all, me: 'b', now, random: fixed });
    assert.equal(first.claim.length, 1);
    assert.equal(first.reason, 'steal from a');
    const afterOne = [l(0, 'a'), l(1, 'a'), l(2, 'a'), l(3, 'b')];
    assert.equal(balance({ readable: afterOne, me: 'b', now, random: fixed }).claim.length, 1, '3 against 1: one more');
    const balanced = [l(0, 'a'), l(1, 'a'), l(2, 'b'), l(3, 'b')];
    assert.equal(balance({ readable: balanced, me: 'b', now }).claim.length, 0);
    assert.equal(balance({ readable: balanced, me: 'a', now }).claim.length, 0);
  });

  it('an odd share is not traded back and forth', () => {
    const readable = [l(0, 'a'), l(1, 'a'), l(2, 'b')];
    assert.equal(balance({ readable, me: 'b', now }).claim.length, 0);
    assert.equal(balance({ readable, me: 'a', now }).claim.length, 0);
  });
});

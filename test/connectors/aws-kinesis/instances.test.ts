/**
 * Several instances of one integration on one lease table (in memory here; PostgreSQL in the
 * end-to-end test): fair split, graceful hand-off on stop, takeover after a lease expires, and an
 * instance frozen past its lease that stores nothing when it wakes up.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LeaseStore, LeaseToken, PartitionLease } from '../../../src/core/partitions.ts';
import { startKinesalite, type KinesalitePeer } from '../../peers/kinesalite.ts';
import { checkKeyed, createInstance, keyedRecords, peerConfig, shared, uniqueName, until, type Instance } from './helpers.ts';

type Shared = ReturnType<typeof shared>;

const owned = (i: Instance): number => (i.source.status() as { shardsReadHere: number }).shardsReadHere;

/** A view of the lease table whose calls hang while `frozen` (an instance that stopped running). */
class FreezableLeases implements LeaseStore {
  frozen = false;
  private waiters: Array<() => void> = [];
  private readonly inner: LeaseStore;
  constructor(inner: LeaseStore) { this.inner = inner; }
  thaw(): void {
    this.frozen = false;
    for (const w of this.waiters.splice(0)) w();
  }
  private async gate(): Promise<void> {
    if (this.frozen) await new Promise<void>((r) => this.waiters.push(r));
  }
  async list(): Promise<PartitionLease[]> { await this.gate(); return this.inner.list(); }
  async ensure(p: Array<{ partition: string; meta?: Record<string, string> }>): Promise<void> { await this.gate(); return this.inner.ensure(p); }
  async claim(p: string, o: string, t: number, ttl: number): Promise<PartitionLease | null> { await this.gate(); return this.inner.claim(p, o, t, ttl); }
  async renew(p: string, l: LeaseToken, ttl: number): Promise<PartitionLease | null> { await this.gate(); return this.inner.renew(p, l, ttl); }
  async release(p: string, l: LeaseToken): Promise<boolean> { await this.gate(); return this.inner.release(p, l); }
  async checkpoint(p: string, l: LeaseToken, pos: string): Promise<boolean> { await this.gate(); return this.inner.checkpoint(p, l, pos); }
  async setMeta(p: string, l: LeaseToken, m: Record<string, string>): Promise<boolean> { await this.gate(); return this.inner.setMeta(p, l, m); }
  async remove(p: string[]): Promise<void> { await this.gate(); return this.inner.remove(p); }
}

describe('aws-kinesis: several instances on one lease table', () => {
  let peer: KinesalitePeer;
  before(async () => { peer = await startKinesalite(); });
  after(async () => { await peer.stop(); });

  async function twoInstances(stream: string, s: Shared): Promise<[Instance, Instance]> {
    const a = createInstance(peerConfig(peer, stream), s, { owner: 'instance-a' });
    const b = createInstance(peerConfig(peer, stream), s, { owner: 'instance-b' });
    await a.source.start();
    await b.source.start();
    return [a, b];
  }

  it('split the 4 shards 2/2; a graceful stop hands them off at once, also to the instance they were taken from; every record stored once', async () => {
    const stream = uniqueName('pair');
    await peer.createStream(stream, 4);
    const s = shared();
    const [a, b] = await twoInstances(stream, s);
    try {
      await until(() => owned(a) === 2 && owned(b) === 2, 'a 2/2 split', 15_000);
      await peer.putAll(stream, keyedRecords(16, 50));
      await until(() => s.store.stored.length >= 800, 'first 800');
      // b took its two shards from a (a started first and claimed all four): a lost them, and
      // when b stops gracefully a must be able to claim them again.
      const stoppedAt = Date.now();
      await b.source.stop();
      await until(() => owned(a) === 4, 'a owns all 4 again');
      const handoffMs = Date.now() - stoppedAt;
      assert.ok(handoffMs < 3000, `hand-off took ${handoffMs} ms, less than leaseDurationSeconds`);
      await peer.putAll(stream, keyedRecords(16, 50, 50));
      await until(() => s.store.stored.length >= 1600, 'all 1600');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(checkKeyed(s.store.stored, 16, 100), null);
      assert.equal(s.store.refused, 0, 'nothing was fenced: a hand-off, not a takeover');
    } finally {
      await a.source.stop();
      await b.source.stop();
    }
  });

  it('an instance frozen past its lease: the other takes its shards over, and it stores nothing when it wakes up', async () => {
    const stream = uniqueName('frozen');
    await peer.createStream(stream, 4);
    const s = shared();
    const frozenLeases = new FreezableLeases(s.leases);
    const a = createInstance(peerConfig(peer, stream), s, { owner: 'instance-a' }, { leases: frozenLeases });
    const b = createInstance(peerConfig(peer, stream), s, { owner: 'instance-b' });
    await a.source.start();
    await b.source.start();
    try {
      await until(() => owned(a) === 2 && owned(b) === 2, 'a 2/2 split', 15_000);
      await peer.putAll(stream, keyedRecords(16, 20));
      await until(() => s.store.stored.length >= 320, 'first 320');
      // Freeze a: its lease calls hang and its deliveries wait, like a process that stopped running.
      frozenLeases.frozen = true;
      a.ctx.mode = 'hold';
      const frozenAt = Date.now();
      await peer.putAll(stream, keyedRecords(16, 20, 20));
      await until(() => s.leases.claims.some((c) => c.owner === 'instance-b' && c.at > frozenAt && c.token > 1), 'b takes a shard of a over', 15_000);
      const takeoverMs = Date.now() - frozenAt;
      await until(() => s.store.stored.length >= 640, 'b stores all 640', 15_000);
      assert.ok(a.ctx.pending().length > 0, 'a holds deliveries it read before it froze');
      // Wake a up: whatever it commits now carries its old lease token.
      a.ctx.mode = 'resolve';
      frozenLeases.thaw();
      a.ctx.settleAll();
      await until(() => (a.source.status() as { leases: { lost: number } }).leases.lost >= 2, 'a notices that both its leases are gone');
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(s.store.refused > 0, 'a\'s late commits were refused (LEASE_LOST)');
      assert.equal(checkKeyed(s.store.stored, 16, 40), null, `nothing stored twice (takeover after ${takeoverMs} ms)`);
      assert.ok(takeoverMs < 3000 + 1500, `takeover within the lease duration (+ a cycle): ${takeoverMs} ms`);
      // And it goes back to reading its share.
      await until(() => owned(a) === 2 && owned(b) === 2, 'balanced again', 20_000);
    } finally {
      frozenLeases.thaw();
      await a.source.stop();
      await b.source.stop();
    }
  });
});

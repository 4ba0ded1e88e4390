import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Checkpointer } from '../../src/core/checkpointer.ts';

describe('Checkpointer', () => {
  it('reports the highest position below which everything is settled, whatever order they settle in', () => {
    const c = new Checkpointer('shard-1', '100');
    const [a, b, d] = ['101', '102', '103'].map((p) => c.track(p));
    assert.equal(c.committed, '100', 'starts at the position committed before');
    b?.settle();
    assert.equal(c.committed, '100', '102 settled, but 101 is still pending');
    a?.settle();
    assert.equal(c.committed, '102');
    assert.equal(c.rewindTo, '103');
    d?.settle();
    assert.equal(c.committed, '103');
    assert.equal(c.rewindTo, null, 'nothing unsettled');
    assert.equal(c.pending, 0);
  });

  it('never moves past a rejected position and names it as where to read again', () => {
    const c = new Checkpointer('shard-1');
    const [a, b, d] = ['1', '2', '3'].map((p) => c.track(p));
    a?.settle();
    b?.reject();
    d?.settle();
    assert.equal(c.committed, '1');
    assert.equal(c.rejected, true);
    assert.equal(c.rewindTo, '2');
  });

  it('refuses to track more after a rejection until the connector rewinds', () => {
    const c = new Checkpointer('shard-1');
    c.track('1')?.reject();
    assert.equal(c.track('2'), null, 'the record read after the rejection must not be delivered');
    assert.deepEqual(c.rewind(), { from: '1', after: null });
    assert.equal(c.rejected, false);
    c.track('1')?.settle();
    assert.equal(c.committed, '1');
  });

  it('ignores settles of positions tracked before a rewind (they are read again)', () => {
    const c = new Checkpointer('p0', '5');
    const late = c.track('6');
    assert.ok(late);
    c.track('7')?.reject();
    assert.deepEqual(c.rewind(), { from: '6', after: '5' });
    late.settle();
    assert.equal(c.committed, '5');
    assert.equal(c.pending, 0);
  });

  it('idle() resolves once nothing tracked is pending', async () => {
    const c = new Checkpointer('p0');
    const a = c.track('1');
    const b = c.track('2');
    assert.ok(a && b);
    let idle = false;
    const done = c.idle().then(() => { idle = true; });
    a.settle();
    await Promise.resolve();
    assert.equal(idle, false);
    b.reject();
    await done;
    assert.equal(c.committed, '1');
  });

  it('settling a handle twice, or rejecting a settled one, changes nothing', () => {
    const c = new Checkpointer('p0');
    const a = c.track('1');
    assert.ok(a);
    a.settle();
    a.reject();
    a.settle();
    assert.equal(c.committed, '1');
    assert.equal(c.rejected, false);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Semaphore } from '../../src/core/semaphore.ts';
import { nextTurn } from '../support/wait.ts';

describe('Semaphore', () => {
  it('grants weight while it fits and makes the rest wait until released', async () => {
    const s = new Semaphore(10);
    await s.acquire(6);
    assert.equal(s.tryAcquire(5), false, 'does not fit');
    let granted = false;
    const waiting = s.acquire(5).then(() => { granted = true; });
    await nextTurn();
    assert.equal(granted, false);
    s.release(6);
    await waiting;
    assert.equal(s.used, 5);
    assert.equal(s.peak, 6);
  });

  it('serves waiters in arrival order: a small request does not overtake a large one', async () => {
    const s = new Semaphore(10);
    await s.acquire(8);
    const order: string[] = [];
    const big = s.acquire(9).then(() => order.push('big'));
    void s.acquire(1).then(() => order.push('small'));
    assert.equal(s.tryAcquire(1), false, 'tryAcquire does not jump the line either');
    s.release(8);
    await big;
    await nextTurn();
    assert.deepEqual(order, ['big', 'small']);
    assert.equal(s.used, 10);
  });

  it('grants a request larger than the capacity alone, once nothing is held', async () => {
    const s = new Semaphore(4);
    await s.acquire(1);
    const huge = s.acquire(9);
    let after = false;
    const later = s.acquire(1).then(() => { after = true; });
    s.release(1);
    await huge;
    assert.equal(s.used, 9);
    await nextTurn();
    assert.equal(after, false, 'nothing else while the oversized request holds it');
    s.release(9);
    await later;
  });

  it('takes an aborted waiter out of the line with the abort reason and serves the next', async () => {
    const s = new Semaphore(2);
    await s.acquire(2);
    const stop = new AbortController();
    const aborted = s.acquire(2, stop.signal);
    const next = s.acquire(1);
    stop.abort(new Error('stopping'));
    await assert.rejects(aborted, /stopping/);
    s.release(1);
    await next;
    assert.equal(s.waiting, 0);
    await assert.rejects(s.acquire(1, stop.signal), /stopping/, 'an already aborted signal is refused at once');
  });

  it('close() rejects every waiter and later acquire; idle() resolves once everything held is released', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const waiter = s.acquire();
    s.close(new Error('closed'));
    await assert.rejects(waiter, /closed/);
    await assert.rejects(s.acquire(), /closed/);
    let idle = false;
    const done = s.idle().then(() => { idle = true; });
    await nextTurn();
    assert.equal(idle, false);
    s.release();
    await done;
  });
});

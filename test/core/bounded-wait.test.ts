import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { untilSettled, waitAtMost } from '../../src/core/bounded-wait.ts';
import { ManualClock } from '../support/manual-clock.ts';

describe('bounded waits', () => {
  it('waitAtMost is true when the work settles in time (even by failing), false at the deadline', async () => {
    const clock = new ManualClock();
    assert.equal(await waitAtMost(Promise.resolve(1), 100, clock), true);
    assert.equal(await waitAtMost(Promise.reject(new Error('x')), 100, clock), true);
    const never = waitAtMost(new Promise(() => undefined), 100, clock);
    await clock.advance(100);
    assert.equal(await never, false);
    assert.equal(clock.pendingTimers, 0, 'no timer is left behind');
  });

  it('untilSettled waits for promises added while it waits', async () => {
    const pending = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>): void => {
      pending.add(p);
      void p.finally(() => pending.delete(p)).catch(() => undefined);
    };
    let release!: () => void;
    track(new Promise<void>((r) => { release = r; }).then(() => track(Promise.reject(new Error('late')))));
    const done = untilSettled(pending);
    release();
    await done;
    assert.equal(pending.size, 0);
  });
});

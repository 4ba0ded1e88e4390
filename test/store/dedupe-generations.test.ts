/** The generation policy both SQL stores prune dedupe keys by (ADR 011), decided without a database. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generationsOf, prunePlan } from '../../src/store/dedupe-generations.ts';

const DAY = 86_400_000;

describe('dedupe generations', () => {
  it('the current generation is the one that started last', () => {
    assert.deepEqual(generationsOf([{ slot: 0, started_at: 5 }, { slot: 1, started_at: 3 }]),
      { current: 0, previous: 1, currentStartedAt: 5, previousStartedAt: 3 });
    assert.throws(() => generationsOf([{ slot: 0, started_at: 5 }]), /slots 0 and 1/);
  });

  it('keeps every key until the current generation is older than the retention, then empties the previous one and starts it again', () => {
    const g = generationsOf([{ slot: 0, started_at: 0 }, { slot: 1, started_at: 10 * DAY }]);
    // Housekeeping's cutoff is now - 7 days.
    assert.deepEqual(prunePlan(g, 10 * DAY - 1, 17 * DAY - 1), { empty: [], restart: null });
    assert.deepEqual(prunePlan(g, 10 * DAY, 17 * DAY), { empty: [0], restart: { slot: 0, startedAt: 17 * DAY } });
  });

  it('a cutoff in the future empties both, and the current one stays current', () => {
    const g = generationsOf([{ slot: 0, started_at: 1000 }, { slot: 1, started_at: 2000 }]);
    assert.deepEqual(prunePlan(g, 3001, 3000), { empty: [0, 1], restart: { slot: 1, startedAt: 3000 } });
  });

  it('the restarted generation is the one that started last, even in the same millisecond or after the clock went back', () => {
    const g = generationsOf([{ slot: 0, started_at: 5000 }, { slot: 1, started_at: 9000 }]);
    assert.deepEqual(prunePlan(g, 9000, 9000), { empty: [0], restart: { slot: 0, startedAt: 9001 } });
    assert.deepEqual(prunePlan(g, 4001, 4000), { empty: [0, 1], restart: { slot: 1, startedAt: 5001 } });
  });
});

/**
 * Reloads never overlap: `serialized` runs calls one after the other, `CoalescingRunner` turns any
 * number of requests during a run into one more run that reads its input when it starts. Every run
 * here is a promise the test settles itself: no timers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoalescingRunner, serialized } from '../../src/core/serial-runs.ts';
import { nextTurn } from '../support/wait.ts';

/** A run the test finishes: `started` lists what each run read, `finish(i)` settles run i. */
function controlledRuns(input: () => string): {
  run: () => Promise<void>; started: string[]; running: () => number; finish: (i: number, error?: Error) => void;
} {
  const started: string[] = [];
  const settle: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  let running = 0;
  return {
    started,
    running: () => running,
    run: () => new Promise<void>((resolve, reject) => {
      started.push(input());
      running++;
      settle.push({
        resolve: () => { running--; resolve(); },
        reject: (e) => { running--; reject(e); },
      });
    }),
    finish: (i, error) => {
      const s = settle[i];
      assert.ok(s, `run ${i} has started`);
      if (error) s.reject(error);
      else s.resolve();
    },
  };
}

describe('CoalescingRunner: one reload at a time, requests during one coalesce into one more', () => {
  it('three requests during a run make exactly one more run, which reads the input as it is when it starts', async () => {
    let file = 'v1';
    const runs = controlledRuns(() => file);
    const runner = new CoalescingRunner(runs.run);

    const first = runner.request();
    await nextTurn();
    file = 'v2';
    const more = [runner.request(), runner.request(), runner.request()];
    assert.deepEqual([first.outcome, ...more.map((r) => r.outcome)], ['started', 'queued', 'coalesced', 'coalesced']);
    assert.equal(more[1]?.done, more[0]?.done, 'the coalesced requests are served by the queued run');
    await nextTurn();
    assert.deepEqual(runs.started, ['v1'], 'nothing starts while the first run is in progress');

    file = 'v3';
    runs.finish(0);
    await first.done;
    await nextTurn();
    assert.deepEqual(runs.started, ['v1', 'v3'], 'one more run, with the file as it is then');
    assert.equal(runs.running(), 1);
    runs.finish(1);
    await Promise.all(more.map((r) => r.done));
    assert.deepEqual(runs.started, ['v1', 'v3'], 'three requests, one extra run');

    const later = runner.request();
    assert.equal(later.outcome, 'started', 'idle again: the next request starts at once');
    await nextTurn();
    runs.finish(2);
    await later.done;
  });

  it('a failed run settles its requests with the failure and the queued run still happens', async () => {
    const runs = controlledRuns(() => 'file');
    const runner = new CoalescingRunner(runs.run);
    const first = runner.request();
    await nextTurn();
    const second = runner.request();
    runs.finish(0, new Error('config reload refused'));
    await assert.rejects(first.done, /config reload refused/);
    await nextTurn();
    assert.equal(runs.started.length, 2, 'the queued run started after the failure');
    runs.finish(1);
    await second.done;
    assert.equal(runner.request().outcome, 'started', 'idle again');
    await nextTurn();
    runs.finish(2);
  });
});

describe('serialized: calls run one after the other, each with its own arguments', () => {
  it('a second call waits for the first to settle, failed or not, and never runs beside it', async () => {
    const runs = controlledRuns(() => '');
    const seen: string[] = [];
    let overlapping = 0;
    const apply = serialized(async (config: string) => {
      seen.push(config);
      overlapping = Math.max(overlapping, runs.running() + 1);
      await runs.run();
    });
    const a = apply('a');
    const b = apply('b');
    const c = apply('c');
    await nextTurn();
    assert.deepEqual(seen, ['a']);
    runs.finish(0, new Error('refused'));
    await assert.rejects(a, /refused/);
    await nextTurn();
    assert.deepEqual(seen, ['a', 'b'], 'the next call runs after a failure');
    runs.finish(1);
    await b;
    await nextTurn();
    runs.finish(2);
    await c;
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(overlapping, 1, 'never two at once');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudbridgeError } from '../../src/core/errors.ts';
import { SourceLifecycle, type SourceSteps } from '../../src/core/source-lifecycle.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { nextTurn } from '../support/wait.ts';

function setup(steps: Partial<SourceSteps> = {}): { life: SourceLifecycle; states: string[]; calls: string[]; clock: ManualClock } {
  const states: string[] = [];
  const calls: string[] = [];
  const clock = new ManualClock();
  const life = new SourceLifecycle({
    name: 'the test source',
    ctx: { clock, reportState: (state, error) => states.push(error ? `${state}:${(error as CloudbridgeError).code}` : state) },
    steps: {
      open: async () => { calls.push('open'); },
      halt: () => { calls.push('halt'); },
      drained: async () => { calls.push('drained'); },
      close: async (o) => { calls.push(`close drained=${o.drained}`); },
      ...steps,
    },
  });
  return { life, states, calls, clock };
}

describe('SourceLifecycle', () => {
  it('starts once (connecting → connected) and stops once: halt, drain, close (→ disconnected)', async () => {
    const { life, states, calls } = setup();
    await life.start();
    assert.equal(life.phase, 'running');
    await assert.rejects(life.start(), { code: 'INTERNAL', message: /cannot start: it is running/ });
    const first = life.stop(1000);
    assert.equal(life.stop(1000), first, 'a second stop returns the first one\'s promise');
    await first;
    assert.equal(life.phase, 'stopped');
    assert.deepEqual(states, ['connecting', 'connected', 'disconnected']);
    assert.deepEqual(calls, ['open', 'halt', 'drained', 'close drained=true']);
    assert.equal(life.stopSignal.aborted, true);
    assert.equal(life.deliverySignal.aborted, true);
  });

  it('a failed open closes what was opened and reports the error; stop afterwards does nothing', async () => {
    const { life, states, calls } = setup({ open: async () => { throw new CloudbridgeError('AUTH_FAILED', 'bad password'); } });
    await assert.rejects(life.start(), { code: 'AUTH_FAILED' });
    assert.equal(life.phase, 'stopped');
    assert.deepEqual(states, ['connecting', 'disconnected:AUTH_FAILED']);
    assert.deepEqual(calls, ['close drained=true']);
    await life.stop();
    assert.deepEqual(calls, ['close drained=true']);
  });

  it('a thrown non-Cloudbridge error is reported as CONNECTION_FAILED', async () => {
    const { life } = setup({ open: async () => { throw new Error('ECONNREFUSED'); } });
    await assert.rejects(life.start(), { code: 'CONNECTION_FAILED', message: 'ECONNREFUSED' });
  });

  it('stop during start abandons the start (its signal aborts) and closes once the open is over', async () => {
    let aborted = false;
    const { life, calls } = setup({
      open: (signal) => new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => { aborted = true; reject(signal.reason); }, { once: true });
      }),
    });
    const started = life.start();
    await nextTurn();
    await life.stop(100);
    await assert.rejects(started, { code: 'SHUTTING_DOWN' });
    assert.equal(aborted, true);
    assert.deepEqual(calls, ['halt', 'drained', 'close drained=true']);
  });

  it('an open that succeeds after stop was called fails the start with SHUTTING_DOWN; stop closes it', async () => {
    let finishOpen!: () => void;
    const { life, calls } = setup({ open: () => new Promise((resolve) => { finishOpen = resolve; }) });
    const started = life.start();
    const stopped = life.stop(100);
    finishOpen();
    await assert.rejects(started, { code: 'SHUTTING_DOWN', message: /stopped while starting/ });
    await stopped;
    assert.deepEqual(calls, ['halt', 'drained', 'close drained=true']);
  });

  it('waits for the drain at most drainMs, then aborts the deliveries still waiting and closes', async () => {
    const { life, calls, clock } = setup({ drained: () => new Promise(() => undefined) });
    await life.start();
    const stopped = life.stop(2000);
    await clock.advance(1999);
    assert.equal(life.deliverySignal.aborted, false);
    await clock.advance(1);
    await stopped;
    assert.equal(life.deliverySignal.aborted, true);
    assert.deepEqual(calls, ['open', 'halt', 'close drained=false']);
  });

  it('stop before start just marks it stopped', async () => {
    const { life, states, calls } = setup();
    await life.stop();
    assert.equal(life.phase, 'stopped');
    assert.deepEqual(states, []);
    assert.deepEqual(calls, []);
  });
});

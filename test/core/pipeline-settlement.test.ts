/**
 * Ordered settlement (issue 8): when a batch cannot be committed, nothing behind it commits before
 * the source redelivers the failed messages; rejections carry the pipeline's retry delay; the
 * commit carries the partition checkpoints of the deliveries it completes. Time is a ManualClock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudbridgeError, DeliveryRejectedError } from '../../src/core/errors.ts';
import type { UplinkMessage } from '../../src/core/model.ts';
import type { DeliveryCheckpoint } from '../../src/core/partitions.ts';
import { IngestPipeline, type PipelineLimits } from '../../src/core/pipeline.ts';
import type { ConvertPort, UplinkCommit, UplinkCommitResult } from '../../src/core/ports.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { nextTurn } from '../support/wait.ts';

function msg(key: string, device = 'd'): UplinkMessage {
  return { payload: Buffer.from(JSON.stringify({ device, key })), metadata: {}, sourceKey: key, receivedAt: 1 };
}

const convert: ConvertPort = async (messages) => messages.map(() => ({ ok: true as const, raw: null, records: [] }));

/** A commit port whose calls wait until the test lets each one succeed or fail. */
function controlledCommit(): {
  port: (c: UplinkCommit) => Promise<UplinkCommitResult>;
  calls: Array<{ commit: UplinkCommit; succeed(): void; fail(err: unknown): void }>;
  committedKeys: string[];
} {
  const calls: ReturnType<typeof controlledCommit>['calls'] = [];
  const committedKeys: string[] = [];
  return {
    calls,
    committedKeys,
    port: (commit) => new Promise<UplinkCommitResult>((resolve, reject) => {
      calls.push({
        commit,
        succeed: () => {
          committedKeys.push(...commit.items.map((i) => i.sourceKey));
          resolve({ results: commit.items.map(() => ({ status: 'stored' as const, createdEntities: [] })) });
        },
        fail: reject,
      });
    }),
  };
}

function pipeline(clock: ManualClock, commit: ReturnType<typeof controlledCommit>, limits: Partial<PipelineLimits> = {}): IngestPipeline {
  return new IngestPipeline({
    integrationId: 'i1', convert, commit: commit.port, allowCreateDevices: () => true, clock,
    limits: { maxBatchMessages: 1, maxBatchDelayMs: 5, ...limits },
    retry: { initialDelayMs: 1000, maxDelayMs: 1000 },
  });
}

/** Records how a delivery ended, without an unhandled rejection. */
function outcome(p: Promise<unknown>): { value?: unknown; error?: DeliveryRejectedError; done: boolean } {
  const o: { value?: unknown; error?: DeliveryRejectedError; done: boolean } = { done: false };
  p.then((v) => { o.value = v; o.done = true; }, (e: DeliveryRejectedError) => { o.error = e; o.done = true; });
  return o;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await nextTurn();
}

/** A pipeline whose first commit (of delivery A) failed with `error`. */
async function afterAFailedCommit(error: unknown): Promise<{ clock: ManualClock; commit: ReturnType<typeof controlledCommit>; p: IngestPipeline; a: ReturnType<typeof outcome> }> {
  const clock = new ManualClock();
  const commit = controlledCommit();
  const p = pipeline(clock, commit);
  const a = outcome(p.deliver([msg('A')]));
  await clock.advance(5);
  commit.calls[0]?.fail(error);
  await flush();
  return { clock, commit, p, a };
}

describe('pipeline: ordered settlement', () => {
  it('batch N fails while N+1 is queued: N+1 is rejected too, with the same retry delay, and nothing commits out of order', async () => {
    const clock = new ManualClock();
    const commit = controlledCommit();
    const p = pipeline(clock, commit);
    const a = outcome(p.deliver([msg('A')]));
    await clock.advance(5);
    assert.equal(commit.calls.length, 1, 'batch N (A) is committing');
    const b = outcome(p.deliver([msg('B')]));
    await clock.advance(5);
    assert.equal(commit.calls.length, 1, 'batch N+1 (B) waits behind N');

    commit.calls[0]?.fail(new Error('disk I/O error'));
    await flush();
    assert.ok(a.error instanceof DeliveryRejectedError && b.error instanceof DeliveryRejectedError, 'both rejected');
    assert.equal(a.error.code, 'STORE_UNAVAILABLE');
    assert.match(a.error.message, /disk I\/O error/);
    assert.ok(a.error.retryAfterMs >= 500 && a.error.retryAfterMs <= 1000, `retry delay ${a.error.retryAfterMs}`);
    assert.equal(b.error.retryAfterMs, a.error.retryAfterMs, 'the delay the pipeline chose');
    await clock.advance(2000);
    assert.equal(commit.calls.length, 1, 'B was never committed on its own');
    assert.equal(p.stats().inFlightMessages, 0);

    const again = [outcome(p.deliver([msg('A')])), outcome(p.deliver([msg('B')]))];
    await clock.advance(5);
    commit.calls[1]?.succeed();
    await clock.advance(5);
    commit.calls[2]?.succeed();
    await flush();
    assert.ok(again.every((o) => o.done && !o.error));
    assert.deepEqual(commit.committedKeys, ['A', 'B'], 'the redelivered A commits before B');
  });

  it('a delivery arriving during the pause is rejected with the time left; after the pause it is accepted', async () => {
    const { clock, commit, p, a } = await afterAFailedCommit(new CloudbridgeError('STORE_UNAVAILABLE', 'database is locked'));
    const pauseMs = a.error?.retryAfterMs ?? 0;
    assert.ok(pauseMs > 0);
    assert.equal(p.stats().paused, true);

    await clock.advance(200);
    const during = outcome(p.deliver([msg('C')]));
    await flush();
    assert.ok(during.error instanceof DeliveryRejectedError, 'rejected during the pause');
    assert.equal(during.error.code, 'STORE_UNAVAILABLE');
    assert.equal(during.error.retryAfterMs, pauseMs - 200, 'asked to come back when the pause ends');
    assert.equal(commit.calls.length, 1, 'not even tried');
    assert.equal(p.stats().received, 1, 'a refused delivery is not counted as received');

    await clock.advance(pauseMs - 200);
    assert.equal(p.stats().paused, false);
    const after = outcome(p.deliver([msg('A')]));
    await clock.advance(5);
    commit.calls[1]?.succeed();
    await flush();
    assert.ok(after.done && !after.error);
  });

  it('a delivery waiting for room when the batch fails is rejected, even when it is admitted after the pause', async () => {
    const clock = new ManualClock();
    const commit = controlledCommit();
    const p = pipeline(clock, commit, { maxInFlightMessages: 1 });
    const a = outcome(p.deliver([msg('A')]));
    const b = outcome(p.deliver([msg('B')]));
    await clock.advance(5);
    await flush();
    assert.equal(b.done, false, 'B waits for room');
    commit.calls[0]?.fail(new Error('connection reset'));
    await flush();
    assert.ok(a.error instanceof DeliveryRejectedError);
    assert.ok(b.error instanceof DeliveryRejectedError, 'B was behind the failed A');
    assert.equal(commit.calls.length, 1);
  });

  it('a lost lease rejects like any other failure: DeliveryRejectedError with code LEASE_LOST and a retry delay', async () => {
    const clock = new ManualClock();
    const commit = controlledCommit();
    const p = pipeline(clock, commit);
    const lease = { owner: 'me', token: 3 };
    const a = outcome(p.deliver([msg('A')], undefined, { checkpoint: { partition: 'shard-1', position: '10', lease } }));
    await clock.advance(5);
    const b = outcome(p.deliver([msg('B')], undefined, { checkpoint: { partition: 'shard-1', position: '11', lease } }));
    commit.calls[0]?.fail(new CloudbridgeError('LEASE_LOST', 'shard-1 is owned by another instance (token 4)'));
    await flush();
    for (const o of [a, b]) {
      assert.ok(o.error instanceof DeliveryRejectedError);
      assert.equal(o.error.code, 'LEASE_LOST');
      assert.equal(o.error.retryable, true);
      assert.ok(o.error.retryAfterMs > 0);
    }
  });

  it('a failure that is not a store, sandbox or lease failure is reported as STORE_UNAVAILABLE', async () => {
    const { a } = await afterAFailedCommit(new CloudbridgeError('CONFIG_INVALID', 'no such column'));
    assert.equal(a.error?.code, 'STORE_UNAVAILABLE');
    assert.equal(a.error?.retryable, true);
    assert.match(a.error?.message ?? '', /commit failed: no such column/);
  });

  it('close() rejects queued deliveries with SHUTTING_DOWN and no delay', async () => {
    const clock = new ManualClock();
    const commit = controlledCommit();
    const p = pipeline(clock, commit, { maxBatchMessages: 10 });
    const a = outcome(p.deliver([msg('A')]));
    await flush();
    p.close();
    await flush();
    assert.ok(a.error instanceof DeliveryRejectedError);
    assert.equal(a.error.code, 'SHUTTING_DOWN');
    assert.equal(a.error.retryAfterMs, 0);
  });
});

describe('pipeline: partition checkpoints', () => {
  const lease = { owner: 'me', token: 1 };
  const at = (partition: string, position: string): DeliveryCheckpoint => ({ partition, position, lease });

  it('the commit carries, per partition, the checkpoint of the last delivery whose last message is in the batch', async () => {
    const clock = new ManualClock();
    const commit = controlledCommit();
    const p = pipeline(clock, commit, { maxBatchMessages: 100 });
    const all = [
      p.deliver([msg('a1'), msg('a2')], undefined, { checkpoint: at('shard-a', '2') }),
      p.deliver([msg('b1')], undefined, { checkpoint: at('shard-b', '7') }),
      p.deliver([msg('a3')], undefined, { checkpoint: at('shard-a', '3') }),
      p.deliver([msg('plain')]),
    ];
    await clock.advance(5);
    assert.equal(commit.calls.length, 1, 'one commit');
    assert.deepEqual(commit.calls[0]?.commit.checkpoints, [at('shard-a', '3'), at('shard-b', '7')]);
    commit.calls[0]?.succeed();
    await Promise.all(all);
  });

  it('a commit without checkpointed deliveries carries no checkpoints', async () => {
    const clock = new ManualClock();
    const commit = controlledCommit();
    const p = pipeline(clock, commit, { maxBatchMessages: 100 });
    const d = p.deliver([msg('x')]);
    await clock.advance(5);
    assert.equal(commit.calls[0]?.commit.checkpoints, undefined);
    commit.calls[0]?.succeed();
    await d;
  });

  it('never splits a delivery with a checkpoint across commits: the batch ends before it, or takes it whole', async () => {
    const clock = new ManualClock();
    const commit = controlledCommit();
    const p = pipeline(clock, commit, { maxBatchMessages: 3 });
    const all = [
      p.deliver([msg('p1'), msg('p2')]),
      p.deliver([msg('c1'), msg('c2'), msg('c3')], undefined, { checkpoint: at('s', 'c3') }),
      p.deliver([msg('big1'), msg('big2'), msg('big3'), msg('big4'), msg('big5')], undefined, { checkpoint: at('s', 'big5') }),
      p.deliver([msg('q1'), msg('q2'), msg('q3'), msg('q4')]),
    ];
    for (let i = 0; i < 6; i++) {
      await clock.advance(5);
      commit.calls[i]?.succeed();
    }
    await Promise.all(all);
    const batches = commit.calls.map((c) => ({ keys: c.commit.items.map((item) => item.sourceKey), checkpoints: c.commit.checkpoints?.map((k) => k.position) }));
    assert.deepEqual(batches, [
      { keys: ['p1', 'p2'], checkpoints: undefined },
      { keys: ['c1', 'c2', 'c3'], checkpoints: ['c3'] },
      { keys: ['big1', 'big2', 'big3', 'big4', 'big5'], checkpoints: ['big5'] },
      { keys: ['q1', 'q2', 'q3'], checkpoints: undefined },
      { keys: ['q4'], checkpoints: undefined },
    ]);
  });
});

/**
 * The pipeline's two stages overlap (ADR 012): the next batch converts while the previous one
 * commits, and ordered settlement still holds: a batch converted behind a failed commit never
 * commits, a later batch's conversion failure does not undo an earlier batch's commit, and the
 * pause it caused stands. Time is a ManualClock; convert and commit are held by the test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudbridgeError, DeliveryRejectedError } from '../../src/core/errors.ts';
import type { UplinkMessage } from '../../src/core/model.ts';
import { IngestPipeline } from '../../src/core/pipeline.ts';
import type { UplinkCommit, UplinkCommitResult, UplinkConversion } from '../../src/core/ports.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { nextTurn } from '../support/wait.ts';

function msg(key: string): UplinkMessage {
  return { payload: Buffer.from(key), metadata: {}, sourceKey: key, receivedAt: 1 };
}

interface Held<T> {
  keys: string[];
  pass(): void;
  fail(err: unknown): void;
  value?: T;
}

/** Convert and commit ports whose calls wait until the test lets each one end. */
function heldStages(): {
  converts: Array<Held<UplinkConversion[]>>;
  commits: Array<Held<UplinkCommitResult>>;
  committed: string[];
  pipeline(clock: ManualClock): IngestPipeline;
} {
  const converts: Array<Held<UplinkConversion[]>> = [];
  const commits: Array<Held<UplinkCommitResult>> = [];
  const committed: string[] = [];
  return {
    converts, commits, committed,
    pipeline: (clock) => new IngestPipeline({
      integrationId: 'i1', allowCreateDevices: () => true, clock,
      limits: { maxBatchMessages: 100, maxBatchDelayMs: 5 },
      retry: { initialDelayMs: 1000, maxDelayMs: 1000 },
      convert: (messages) => new Promise((resolve, reject) => {
        converts.push({
          keys: messages.map((m) => m.sourceKey),
          pass: () => resolve(messages.map(() => ({ ok: true as const, raw: null, records: [] }))),
          fail: reject,
        });
      }),
      commit: (commit: UplinkCommit) => new Promise((resolve, reject) => {
        const keys = commit.items.map((i) => i.sourceKey);
        commits.push({
          keys,
          pass: () => {
            committed.push(...keys);
            resolve({ results: commit.items.map(() => ({ status: 'stored' as const, createdEntities: [] })) });
          },
          fail: reject,
        });
      }),
    }),
  };
}

function outcome(p: Promise<unknown>): { error?: DeliveryRejectedError; done: boolean } {
  const o: { error?: DeliveryRejectedError; done: boolean } = { done: false };
  p.then(() => { o.done = true; }, (e: DeliveryRejectedError) => { o.error = e; o.done = true; });
  return o;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await nextTurn();
}

const deliverEach = (p: IngestPipeline, keys: string[]): Array<ReturnType<typeof outcome>> => keys.map((k) => outcome(p.deliver([msg(k)])));

/** Message a committing (held), message b converting (held) behind it. */
async function aCommitsWhileBConverts(): Promise<{ s: ReturnType<typeof heldStages>; p: IngestPipeline; a: ReturnType<typeof outcome>; b: ReturnType<typeof outcome> }> {
  const clock = new ManualClock();
  const s = heldStages();
  const p = s.pipeline(clock);
  const [a] = deliverEach(p, ['a']);
  await clock.advance(5);
  s.converts[0]?.pass();
  await flush();
  const [b] = deliverEach(p, ['b']);
  await clock.advance(5);
  assert.ok(a && b);
  return { s, p, a, b };
}

describe('pipeline: conversion overlaps the commit', () => {
  it('the next batch converts while the previous one commits; what arrives meanwhile forms the batch after', async () => {
    const clock = new ManualClock();
    const s = heldStages();
    const p = s.pipeline(clock);
    deliverEach(p, ['a1', 'a2']);
    await clock.advance(5);
    s.converts[0]?.pass();
    await flush();
    assert.deepEqual(s.commits.map((c) => c.keys), [['a1', 'a2']], 'batch 1 commits');

    deliverEach(p, ['b1', 'b2', 'b3']);
    await clock.advance(5);
    assert.deepEqual(s.converts[1]?.keys, ['b1', 'b2', 'b3'], 'batch 2 converts while batch 1 commits');
    s.converts[1]?.pass();
    await flush();
    deliverEach(p, ['c1', 'c2', 'c3', 'c4']);
    await clock.advance(5);
    assert.equal(s.converts.length, 2, 'a third batch waits while batch 2 waits for its commit');
    assert.equal(s.commits.length, 1, 'batch 2 does not commit before batch 1 is committed');

    s.commits[0]?.pass();
    await flush();
    assert.deepEqual(s.commits[1]?.keys, ['b1', 'b2', 'b3'], 'batch 2 commits next');
    assert.deepEqual(s.converts[2]?.keys, ['c1', 'c2', 'c3', 'c4'], 'everything queued meanwhile converts as one batch');
    s.converts[2]?.pass();
    s.commits[1]?.pass();
    await flush();
    s.commits[2]?.pass();
    await flush();
    assert.deepEqual(s.committed, ['a1', 'a2', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3', 'c4']);
    assert.equal(await p.drain(0), true);
  });

  it('a batch still converting when the commit before it fails is rejected after its conversion, never committed', async () => {
    const { s, p, a, b } = await aCommitsWhileBConverts();
    assert.equal(s.converts.length, 2, 'b converts while a commits');

    s.commits[0]?.fail(new Error('disk I/O error'));
    await flush();
    assert.ok(a.error instanceof DeliveryRejectedError);
    assert.equal(b.done, false, 'b is still converting');
    s.converts[1]?.pass();
    await flush();
    assert.ok(b.error instanceof DeliveryRejectedError, 'b is rejected once converted');
    assert.equal(b.error.code, 'STORE_UNAVAILABLE');
    assert.ok(b.error.retryAfterMs > 0 && b.error.retryAfterMs <= a.error.retryAfterMs, 'asked to come back when the pause ends');
    assert.equal(s.commits.length, 1, 'b was never committed');
    assert.equal(p.stats().inFlightMessages, 0);
  });

  it('a later batch whose converters cannot run is rejected; the batch before it still commits and the pause stands', async () => {
    const { s, p, a, b } = await aCommitsWhileBConverts();
    s.converts[1]?.fail(new CloudbridgeError('SANDBOX_UNAVAILABLE', 'the sandbox processes cannot start'));
    await flush();
    assert.ok(b.error instanceof DeliveryRejectedError);
    assert.equal(b.error.code, 'SANDBOX_UNAVAILABLE');
    assert.equal(p.stats().paused, true);

    s.commits[0]?.pass();
    await flush();
    assert.equal(a.done, true);
    assert.equal(a.error, undefined, 'a, before the failure, is committed and acknowledged');
    assert.deepEqual(s.committed, ['a']);
    assert.equal(p.stats().paused, true, 'the commit of an earlier batch does not lift the pause');
    const during = outcome(p.deliver([msg('c')]));
    await flush();
    assert.equal(during.error?.code, 'SANDBOX_UNAVAILABLE', 'intake stays paused');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/logger.ts';
import { InFlightReceipts, type Receipt } from '../../../src/connectors/aws-sqs/receipt-table.ts';
import { heartbeatIntervalMs, MAX_VISIBILITY_MS, VisibilityHeartbeat } from '../../../src/connectors/aws-sqs/visibility-heartbeat.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { FakeSqsApi } from './fakes.ts';

function setup(visibilityTimeoutSeconds = 30): { clock: ManualClock; api: FakeSqsApi; table: InFlightReceipts; beat: VisibilityHeartbeat; capped: Receipt[] } {
  const clock = new ManualClock();
  const api = new FakeSqsApi(clock);
  const table = new InFlightReceipts(1000);
  const capped: Receipt[] = [];
  const beat = new VisibilityHeartbeat({ receipts: table, api: () => api, queueUrl: 'q', visibilityTimeoutSeconds, clock, log: silentLogger, onCapped: (l) => capped.push(l) });
  return { clock, api, table, beat, capped };
}

describe('aws-sqs visibility heartbeat (fake clock)', () => {
  it('extends every received message before half of its visibility timeout is left, 10 per call, until it is settled', async () => {
    const { clock, api, table, beat } = setup(30);
    const receipts = Array.from({ length: 12 }, (_, i) => table.add({ messageId: `m${i}`, receiptHandle: `rh${i}` }, clock.now(), 30));
    beat.start();
    await clock.advance(7_500);
    assert.equal(api.visibilityCalls.length, 0, 'not yet due (22.5 s left)');
    await clock.advance(7_500);
    assert.equal(api.visibilityCalls.length, 2, '12 messages → two batch calls');
    assert.deepEqual(api.visibilityCalls.map((c) => c.entries.length).sort((a, b) => a - b), [2, 10]);
    assert.ok(api.visibilityCalls.every((c) => c.entries.every((e) => e.visibilityTimeoutSeconds === 30)));
    assert.equal(receipts[0]?.visibleAt, clock.now() + 30_000);
    table.remove(receipts.slice(0, 11));
    await clock.advance(15_000);
    assert.equal(api.visibilityCalls.length, 3, 'only the receipt still held is extended');
    assert.deepEqual(api.visibilityCalls[2]?.entries.map((e) => e.receiptHandle), ['rh11']);
    await beat.stop();
  });

  it('never lets a receipt come within a quarter of the timeout of expiring, whenever it was received', async () => {
    const { clock, api, table, beat } = setup(8);
    beat.start();
    const step = heartbeatIntervalMs(8);
    let minLeftMs = Infinity;
    for (let i = 0; i < 40; i++) {
      table.add({ messageId: `m${i}`, receiptHandle: `rh${i}` }, clock.now(), 8);
      await clock.advance(step / 3);
      for (const l of table.values()) minLeftMs = Math.min(minLeftMs, l.visibleAt - clock.now());
    }
    assert.ok(api.visibilityCalls.length > 0);
    assert.ok(minLeftMs >= 8000 / 4 - step / 3, `at least ~2 s left at all times (min ${minLeftMs} ms)`);
    await beat.stop();
  });

  it('stops at the 12 hour cap and reports the receipt once', async () => {
    const { clock, api, table, beat, capped } = setup(3600);
    const receipt = table.add({ messageId: 'old', receiptHandle: 'rh-old' }, clock.now(), 3600);
    beat.start();
    await clock.advance(MAX_VISIBILITY_MS + 3_600_000);
    const asked = api.visibilityCalls.flatMap((c) => c.entries.map((e) => ({ at: c.at, seconds: e.visibilityTimeoutSeconds })));
    for (const a of asked) assert.ok(a.at + a.seconds * 1000 <= receipt.receivedAt + MAX_VISIBILITY_MS, 'never asks beyond 12 h after receipt');
    assert.ok(asked.some((a) => a.seconds < 3600), 'the last extension is shortened to fit under the cap');
    assert.equal(receipt.capped, true);
    assert.deepEqual(capped.map((l) => l.messageId), ['old']);
    await beat.stop();
  });

  it('stops extending a receipt SQS no longer knows, and receipts being released', async () => {
    const { clock, api, table, beat } = setup(10);
    const gone = table.add({ messageId: 'gone', receiptHandle: 'rh-gone' }, clock.now(), 10);
    const released = table.add({ messageId: 'rel', receiptHandle: 'rh-rel' }, clock.now(), 10);
    released.releasing = true;
    api.failVisibility.set('rh-gone', 'ReceiptHandleIsInvalid');
    beat.start();
    await clock.advance(30_000);
    assert.equal(gone.lost, true);
    const handles = api.visibilityCalls.flatMap((c) => c.entries.map((e) => e.receiptHandle));
    assert.deepEqual(handles, ['rh-gone'], 'asked once for the lost receipt, never for the released one');
    await beat.stop();
  });
});

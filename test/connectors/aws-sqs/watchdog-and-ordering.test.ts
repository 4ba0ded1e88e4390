import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSqsConfig } from '../../../src/connectors/aws-sqs/config-spec.ts';
import { GroupSequencer } from '../../../src/connectors/aws-sqs/group-sequencer.ts';
import { InFlightReceipts } from '../../../src/connectors/aws-sqs/receipt-table.ts';
import { SqsSource } from '../../../src/connectors/aws-sqs/sqs-source.ts';
import { createTestContext } from '../../support/connector-context.ts';
import { fakeMessage, FakeSqsApi, idle } from './fakes.ts';
import { waitFor } from '../../support/wait.ts';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/telemetry';

describe('aws-sqs stall watchdog (fake SQS)', () => {
  it('replaces a client whose receive hangs and goes on receiving with the new one', async () => {
    const clients: FakeSqsApi[] = [];
    const createApi = (): FakeSqsApi => {
      const api = new FakeSqsApi();
      if (clients.length === 0) {
        // The first client's long poll never answers and ignores the abort, like a dead socket.
        api.onReceive = () => new Promise(() => undefined);
      } else {
        let served = false;
        api.onReceive = async (_req, signal) => {
          if (served) return idle(signal, 50);
          served = true;
          return [fakeMessage(1)];
        };
      }
      clients.push(api);
      return api;
    };
    const ctx = createTestContext();
    const source = new SqsSource({ config: resolveSqsConfig({ queueUrl: QUEUE, waitTimeSeconds: 1 }), createApi, watchdogIntervalMs: 50, stallAfterMs: 300 }, ctx);
    await source.start();
    try {
      await waitFor(() => ctx.delivered.length === 1, 'the message from the new client', 5000);
      assert.equal(clients.length, 2);
      assert.equal(clients[0]?.destroyed, true, 'the stalled client was closed');
      assert.equal(source.status().clientRestarts, 1);
      await waitFor(() => clients[1]?.deleted.includes('rh-1') ?? false, 'the delete through the new client');
    } finally {
      await source.stop({ drainMs: 500 });
    }
  });
});

describe('aws-sqs FIFO group sequencer', () => {
  it('runs batches of one group one after another and different groups in parallel', async () => {
    const seq = new GroupSequencer();
    const log: string[] = [];
    const gate: Record<string, () => void> = {};
    const task = (name: string) => () => new Promise<boolean>((resolve) => {
      log.push(`start ${name}`);
      gate[name] = () => { log.push(`end ${name}`); resolve(true); };
    });
    const a1 = seq.run(['a'], task('a1'));
    const b1 = seq.run(['b'], task('b1'));
    const a2 = seq.run(['a', 'c'], task('a2'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log, ['start a1', 'start b1'], 'a2 waits for a1; b1 runs in parallel');
    gate.a1?.();
    await a1;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log.slice(-2), ['end a1', 'start a2']);
    gate.a2?.();
    gate.b1?.();
    assert.deepEqual(await Promise.all([a2, b1]), ['done', 'done']);
    await new Promise((r) => setImmediate(r));
    assert.equal(seq.activeGroups, 0);
  });

  it('skips the later batches of a group whose earlier batch failed, so the group restarts in order', async () => {
    const seq = new GroupSequencer();
    let release: (ok: boolean) => void = () => undefined;
    const first = seq.run(['g'], () => new Promise<boolean>((resolve) => { release = resolve; }));
    let ranSecond = false;
    const second = seq.run(['g', 'h'], async () => { ranSecond = true; return true; });
    const other = seq.run(['h2'], async () => true);
    await new Promise((r) => setImmediate(r));
    release(false);
    assert.equal(await first, 'failed');
    assert.equal(await second, 'skipped');
    assert.equal(ranSecond, false);
    assert.equal(await other, 'done');
    assert.equal(await seq.run(['g'], async () => true), 'done', 'a batch received after the failure runs');
  });
});

describe('aws-sqs receipts in flight (maxInFlight)', () => {
  it('reserves room before a poll, so concurrent receivers never exceed maxInFlight', async () => {
    const table = new InFlightReceipts(20);
    await table.room.acquire(10);
    await table.room.acquire(10);
    let third = false;
    const waiting = table.room.acquire(10).then(() => { third = true; });
    await new Promise((r) => setImmediate(r));
    assert.equal(third, false, 'no room for a third poll');
    const receipts = Array.from({ length: 10 }, (_, i) => table.add({ messageId: `m${i}`, receiptHandle: `r${i}` }, 0, 30));
    table.room.release(10 - receipts.length);
    await new Promise((r) => setImmediate(r));
    assert.equal(third, false, 'the received messages hold the room');
    table.room.release(10);
    await waiting;
    assert.equal(third, true, 'an empty poll gave its room back');
    table.remove(receipts);
    assert.equal(table.size, 0);
    assert.equal(table.room.used, 10, 'the removed receipts gave their room back');
  });

  it('gives room back only for receipts it holds', async () => {
    const table = new InFlightReceipts(10);
    await table.room.acquire(2);
    const a = table.add({ messageId: 'a', receiptHandle: 'ra' }, 0, 30);
    table.add({ messageId: 'b', receiptHandle: 'rb' }, 0, 30);
    table.remove([a, a]);
    assert.equal(table.room.used, 1, 'a receipt removed twice frees its room once');
  });

  it('lets a waiting receiver go when it is stopped', async () => {
    const table = new InFlightReceipts(10);
    await table.room.acquire(10);
    const stop = new AbortController();
    const waiting = table.room.acquire(10, stop.signal);
    stop.abort(new Error('stopping'));
    await assert.rejects(waiting, /stopping/);
  });
});

/**
 * One shard reader (shard-reader.ts) against a fake Kinesis and a manual clock: throttling,
 * expired iterators, rejected deliveries, fencing, SHARD_END and resuming inside an aggregate.
 */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudbridgeError, DeliveryRejectedError } from '../../../src/core/errors.ts';
import type { DeliveryReport } from '../../../src/core/connector.ts';
import type { UplinkMessage } from '../../../src/core/model.ts';
import type { DeliveryCheckpoint } from '../../../src/core/partitions.ts';
import { ShardReader, type ReaderEvents } from '../../../src/connectors/aws-kinesis/shard-reader.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { MemoryLeaseStore } from '../../support/memory-leases.ts';
import { awsError, FakeKinesisApi } from './fake-kinesis.ts';
import { kplAggregate } from './kpl-records.ts';

const SHARD = 'shardId-000000000000';
const PARTITION = `app/s/${SHARD}`;

interface Harness {
  clock: ManualClock;
  api: FakeKinesisApi;
  leases: MemoryLeaseStore;
  delivered: Array<{ texts: string[]; checkpoint: DeliveryCheckpoint }>;
  /** What the next deliveries do (default: commit at once). */
  outcomes: Array<'ok' | Error>;
  events: { throttled: number; lost: number; finished: number; trouble: Array<string | null> };
  reader(checkpoint?: string | null): Promise<ShardReader>;
  tick(ms?: number): Promise<void>;
}

function harness(): Harness {
  const clock = new ManualClock();
  const api = new FakeKinesisApi(() => clock.now());
  api.addShard(SHARD);
  const leases = new MemoryLeaseStore(clock);
  const delivered: Harness['delivered'] = [];
  const outcomes: Harness['outcomes'] = [];
  const events = { throttled: 0, lost: 0, finished: 0, trouble: [] as Array<string | null> };
  const readerEvents: ReaderEvents = {
    trouble: (_r, error) => { events.trouble.push(error ? error.message : null); },
    throttled: () => { events.throttled++; },
    lost: () => { events.lost++; },
    finished: () => { events.finished++; },
    shardGone: async () => false,
  };
  const h: Harness = {
    clock, api, leases, delivered, outcomes, events,
    async reader(checkpoint = null) {
      await leases.ensure([{ partition: PARTITION }]);
      const lease = await leases.claim(PARTITION, 'me', 0, 10_000);
      if (!lease) throw new Error('claim failed');
      if (checkpoint) await leases.checkpoint(PARTITION, { owner: 'me', token: lease.token }, checkpoint);
      const reader = new ShardReader({
        streamName: 's', shardId: SHARD, partition: PARTITION, lease: { owner: 'me', token: lease.token }, expiresAt: lease.expiresAt,
        checkpoint, fallback: { type: 'TRIM_HORIZON' }, maxRecords: 100, pollIntervalMs: 200, maxDeliveriesInFlight: 1, leaseTtlMs: 10_000,
        dedupe: 'check', api: () => api, leases, events: readerEvents, clock, log: silentLogger, random: () => 0.5,
        deliver: async (messages: UplinkMessage[], cp: DeliveryCheckpoint): Promise<DeliveryReport> => {
          delivered.push({ texts: messages.map((m) => Buffer.from(m.payload).toString('utf8')), checkpoint: cp });
          const outcome = outcomes.shift() ?? 'ok';
          if (outcome !== 'ok') throw outcome;
          const l = leases.current(cp.partition, cp.lease);
          if (!l) throw new CloudbridgeError('LEASE_LOST', 'fenced', { partition: cp.partition });
          l.checkpoint = cp.position;
          return { stored: messages.length, deadLettered: 0, duplicates: 0 };
        },
      });
      reader.start();
      return reader;
    },
    async tick(ms = 0) {
      await clock.advance(ms);
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    },
  };
  return h;
}

const allTexts = (h: Harness): string[] => h.delivered.flatMap((d) => d.texts);

describe('shard reader', () => {
  let h: Harness;
  beforeEach(() => { h = harness(); });

  it('delivers each GetRecords answer with the checkpoint of its last record, polling at most every pollIntervalMs', async () => {
    const seqs = h.api.put(SHARD, 'a', 'b', 'c');
    const reader = await h.reader();
    await h.tick();
    assert.deepEqual(h.delivered.map((d) => [d.texts, d.checkpoint.position, d.checkpoint.lease]), [[['a', 'b', 'c'], seqs[2], { owner: 'me', token: 1 }]]);
    assert.equal(h.leases.checkpointOf(PARTITION), seqs[2]);
    const calls = h.api.count('GetRecords');
    await h.tick(100);
    assert.equal(h.api.count('GetRecords'), calls, 'no call before pollIntervalMs');
    await h.tick(100);
    assert.equal(h.api.count('GetRecords'), calls + 1);
    reader.halt();
  });

  it('backs off on ProvisionedThroughputExceeded (1 s, then 2 s), keeps the iterator and counts it', async () => {
    h.api.put(SHARD, 'a');
    h.api.fail('GetRecords', awsError('ProvisionedThroughputExceededException'), awsError('ProvisionedThroughputExceededException'));
    const reader = await h.reader();
    await h.tick();
    assert.equal(h.events.throttled, 1);
    await h.tick(749);
    assert.equal(h.api.count('GetRecords'), 1, 'waits 0.5 s..1 s (here 0.75 s: the jitter is fixed)');
    await h.tick(1);
    assert.equal(h.events.throttled, 2);
    await h.tick(1499);
    assert.equal(h.api.count('GetRecords'), 2);
    await h.tick(1);
    assert.deepEqual(allTexts(h), ['a']);
    assert.equal(reader.counters.throttled, 2);
    assert.equal(h.api.count('GetShardIterator'), 1, 'the iterator was kept');
    reader.halt();
  });

  it('an expired iterator is replaced by one right after the last record read', async () => {
    const [s1, s2] = h.api.put(SHARD, 'a', 'b');
    const reader = await h.reader();
    await h.tick();
    h.api.put(SHARD, 'c');
    h.api.fail('GetRecords', awsError('ExpiredIteratorException', 'Iterator expired'));
    await h.tick(200);
    await h.tick(200);
    const iterators = h.api.calls.filter((c) => c.op === 'GetShardIterator').map((c) => c.start);
    assert.deepEqual(iterators, [{ type: 'TRIM_HORIZON' }, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: s2 }]);
    assert.ok(s1);
    assert.deepEqual(allTexts(h), ['a', 'b', 'c'], 'nothing read twice, nothing skipped');
    assert.equal(reader.counters.iteratorsExpired, 1);
    reader.halt();
  });

  it('a delivery that was not committed rewinds to the checkpoint after the pipeline\'s retry delay', async () => {
    const [s1] = h.api.put(SHARD, 'a');
    const reader = await h.reader();
    await h.tick();
    h.api.put(SHARD, 'b', 'c');
    h.outcomes.push(new DeliveryRejectedError(new CloudbridgeError('STORE_UNAVAILABLE', 'db down'), 700));
    await h.tick(200);
    assert.deepEqual(allTexts(h), ['a', 'b', 'c']);
    assert.equal(h.leases.checkpointOf(PARTITION), s1, 'the checkpoint did not move past what is stored');
    await h.tick(699);
    assert.equal(h.api.count('GetShardIterator'), 1, 'waits the retry delay');
    await h.tick(1);
    await h.tick(200);
    assert.deepEqual(h.api.calls.filter((c) => c.op === 'GetShardIterator').at(-1)?.start, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: s1 });
    assert.deepEqual(allTexts(h), ['a', 'b', 'c', 'b', 'c']);
    assert.equal(reader.counters.rewinds, 1);
    assert.equal(reader.committed, h.leases.checkpointOf(PARTITION));
    reader.halt();
  });

  it('stops when its own lease was taken over (LEASE_LOST naming its partition)', async () => {
    h.api.put(SHARD, 'a');
    const reader = await h.reader();
    await h.tick();
    await h.leases.claim(PARTITION, 'other', 1, 10_000);
    h.api.put(SHARD, 'b');
    await h.tick(200);
    assert.equal(h.events.lost, 1);
    assert.equal(reader.state, 'lost');
    const calls = h.api.count('GetRecords');
    await h.tick(5000);
    assert.equal(h.api.count('GetRecords'), calls, 'no more reading');
  });

  it('rewinds and goes on when a commit was rolled back for another shard\'s lease', async () => {
    h.api.put(SHARD, 'a');
    const reader = await h.reader();
    h.outcomes.push(new CloudbridgeError('LEASE_LOST', 'other shard', { partition: 'app/s/shardId-000000000009' }));
    await h.tick();
    assert.equal(reader.state, 'reading');
    await h.tick(2000);
    await h.tick(200);
    assert.deepEqual(allTexts(h), ['a', 'a']);
    assert.equal(h.events.lost, 0);
    reader.halt();
  });

  it('at SHARD_END checkpoints SHARD_END once everything is committed', async () => {
    h.api.put(SHARD, 'a', 'b');
    h.api.close(SHARD);
    const reader = await h.reader();
    await h.tick();
    assert.equal(reader.state, 'finished');
    assert.equal(h.events.finished, 1);
    assert.equal(h.leases.checkpointOf(PARTITION), 'SHARD_END');
    assert.deepEqual(allTexts(h), ['a', 'b']);
  });

  it('resumes inside a KPL aggregate: AT_SEQUENCE_NUMBER, skipping the user records stored', async () => {
    const [seq] = h.api.put(SHARD, kplAggregate(['u0', 'u1', 'u2'].map((d) => ({ partitionKey: 'k', data: d }))));
    const reader = await h.reader(`${seq}/1`);
    await h.tick();
    assert.deepEqual(h.api.calls.find((c) => c.op === 'GetShardIterator')?.start, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: seq });
    assert.deepEqual(allTexts(h), ['u2']);
    assert.equal(h.leases.checkpointOf(PARTITION), seq, 'the aggregate is complete');
    reader.halt();
  });

  it('reports a failing call as trouble and clears it when calls succeed again', async () => {
    h.api.fail('GetShardIterator', awsError('AccessDeniedException', 'not allowed'));
    const reader = await h.reader();
    await h.tick();
    assert.equal(h.events.trouble.length, 1);
    await h.tick(1000);
    await h.tick(10);
    assert.deepEqual(h.events.trouble.slice(1), [null]);
    reader.halt();
  });
});

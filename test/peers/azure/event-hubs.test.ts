/**
 * The Event Hubs part of the Azure double, driven through the unmodified @azure/event-hubs SDK:
 * hub and partition properties, batches, partition-key placement, round robin, start positions,
 * runtime metrics, consumer-group and partition errors, owner-level (epoch) rules, message size.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventPosition, ReceivedEventData, SubscribeOptions } from '@azure/event-hubs';
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition, latestEventPosition } from '@azure/event-hubs';
import { startAzureDouble } from './index.ts';
import type { AzureDouble } from './index.ts';
import { waitFor } from '../../support/wait.ts';

const requireCjs = createRequire(import.meta.url);
/** The SDK's own key → partition mapper (not exported; loaded by path) to compare placement with. */
const sdkMapper = requireCjs(join(dirname(requireCjs.resolve('@azure/event-hubs')), 'impl', 'partitionKeyToIdMapper.js')) as {
  mapPartitionKeyToId(key: string, count: number): number;
};

let double: AzureDouble;
let producer: EventHubProducerClient;
const consumers: EventHubConsumerClient[] = [];

function consumer(group = '$Default', hub = 'hub1'): EventHubConsumerClient {
  const c = new EventHubConsumerClient(group, double.eventHubs.connectionString(hub), { retryOptions: { maxRetries: 1, retryDelayInMs: 100 } });
  consumers.push(c);
  return c;
}

/** Receives `count` events from one partition, starting at `startPosition`. */
async function receive(partitionId: string, startPosition: EventPosition, count: number, opts: Partial<SubscribeOptions> = {}): Promise<{ events: ReceivedEventData[]; lastEnqueued: number | undefined }> {
  const c = consumer();
  const events: ReceivedEventData[] = [];
  let lastEnqueued: number | undefined;
  await new Promise<void>((resolve, reject) => {
    const sub = c.subscribe(partitionId, {
      processEvents: async (batch, ctx) => {
        events.push(...batch);
        lastEnqueued = (ctx.lastEnqueuedEventProperties as { sequenceNumber?: number } | undefined)?.sequenceNumber;
        if (events.length >= count) { await sub.close(); resolve(); }
      },
      processError: async (err) => { await sub.close(); reject(err); },
    }, { startPosition, maxWaitTimeInSeconds: 1, ...opts });
  });
  return { events, lastEnqueued };
}

/** Waits for the first error a subscription reports. */
function firstError(c: EventHubConsumerClient, partitionId: string, opts: Partial<SubscribeOptions>): Promise<Error & { code?: string }> {
  return new Promise((resolve) => {
    const sub = c.subscribe(partitionId, {
      processEvents: async () => undefined,
      processError: async (err) => { await sub.close(); resolve(err as Error & { code?: string }); },
    }, { startPosition: earliestEventPosition, ...opts });
  });
}

before(async () => {
  double = await startAzureDouble({
    eventHubs: { hubs: [{ name: 'hub1', partitions: 4, consumerGroups: ['cg1'] }, { name: 'small', partitions: 2, maxMessageSizeBytes: 4096 }] },
  });
  producer = new EventHubProducerClient(double.eventHubs.connectionString('hub1'));
});

after(async () => {
  await Promise.all(consumers.map((c) => c.close()));
  await producer.close();
  await double.stop();
});

describe('Event Hubs double', () => {
  it('reports hub and partition properties', async () => {
    const props = await producer.getEventHubProperties();
    assert.equal(props.name, 'hub1');
    assert.deepEqual(props.partitionIds, ['0', '1', '2', '3']);
    assert.ok(props.createdOn instanceof Date);
    const empty = await producer.getPartitionProperties('3');
    assert.equal(empty.isEmpty, true);
    assert.equal(empty.lastEnqueuedSequenceNumber, -1);
  });

  it('stores a batch for one partition with sequence numbers, string offsets and enqueued times', async () => {
    const batch = await producer.createBatch({ partitionId: '1' });
    for (let i = 0; i < 5; i++) assert.ok(batch.tryAdd({ body: { i }, properties: { n: i } }));
    await producer.sendBatch(batch);
    const props = await producer.getPartitionProperties('1');
    assert.equal(props.lastEnqueuedSequenceNumber, 4);
    assert.equal(props.isEmpty, false);
    const { events } = await receive('1', earliestEventPosition, 5);
    assert.deepEqual(events.map((e) => e.body), [0, 1, 2, 3, 4].map((i) => ({ i })));
    assert.deepEqual(events.map((e) => e.sequenceNumber), [0, 1, 2, 3, 4]);
    assert.deepEqual(events.map((e) => e.properties?.['n']), [0, 1, 2, 3, 4]);
    for (const e of events) assert.equal(typeof e.offset, 'string');
    assert.ok(Number(events[1]?.offset) > Number(events[0]?.offset));
    assert.ok(events.every((e) => e.enqueuedTimeUtc instanceof Date));
  });

  it('starts from a sequence number (exclusive), an offset (inclusive), an enqueued time and latest', async () => {
    const all = (await receive('1', earliestEventPosition, 5)).events;
    const third = all[2];
    assert.ok(third !== undefined);
    const bySeq = await receive('1', { sequenceNumber: 2 }, 2);
    assert.deepEqual(bySeq.events.map((e) => e.sequenceNumber), [3, 4]);
    const byOffset = await receive('1', { offset: third.offset, isInclusive: true }, 3);
    assert.deepEqual(byOffset.events.map((e) => e.sequenceNumber), [2, 3, 4]);
    const afterOffset = await receive('1', { offset: third.offset }, 2);
    assert.deepEqual(afterOffset.events.map((e) => e.sequenceNumber), [3, 4]);

    await producer.sendBatch([{ body: 'early' }], { partitionId: '0' });
    await new Promise((r) => setTimeout(r, 30));
    await producer.sendBatch([{ body: 'late' }], { partitionId: '0' });
    const early = double.hooks.eventHubs.events('hub1', '0').find((e) => e.body === 'early');
    assert.ok(early !== undefined);
    const byTime = await receive('0', { enqueuedOn: early.enqueuedTime }, 1);
    assert.deepEqual(byTime.events.map((e) => e.body), ['late']);

    const latest = receive('1', latestEventPosition, 1);
    await waitFor(() => double.hooks.eventHubs.consumers('hub1').some((c) => c.partitionId === '1'));
    await producer.sendBatch([{ body: 'after-latest' }], { partitionId: '1' });
    const { events } = await latest;
    assert.deepEqual(events.map((e) => e.body), ['after-latest']);
  });

  it('sends a single-event batch (one data section, not a list) intact', async () => {
    await producer.sendBatch([{ body: Buffer.from([1, 2, 3]), contentType: 'application/octet-stream', messageId: 'only-one' }], { partitionId: '2' });
    const { events } = await receive('2', earliestEventPosition, 1);
    assert.deepEqual(events[0]?.body, Buffer.from([1, 2, 3]));
    assert.equal(events[0]?.messageId, 'only-one');
    assert.equal(events[0]?.contentType, 'application/octet-stream');
  });

  it('places keyed events on the partition Azure picks for the key', async () => {
    for (const key of ['device-42', 'sensor/7', 'ü-key']) {
      await producer.sendBatch([{ body: `${key}-a` }, { body: `${key}-b` }], { partitionKey: key });
      const expected = String(sdkMapper.mapPartitionKeyToId(key, 4));
      const stored = double.hooks.eventHubs.events('hub1', expected).filter((e) => e.partitionKey === key);
      assert.deepEqual(stored.map((e) => e.body), [`${key}-a`, `${key}-b`]);
    }
    const keyed = double.hooks.eventHubs.events('hub1', String(sdkMapper.mapPartitionKeyToId('device-42', 4)));
    const { events } = await receive(String(sdkMapper.mapPartitionKeyToId('device-42', 4)), { sequenceNumber: (keyed.find((e) => e.partitionKey === 'device-42')?.sequenceNumber ?? 0) - 1 }, 1);
    assert.equal(events[0]?.partitionKey, 'device-42');
  });

  it('spreads unkeyed sends round robin over the partitions', async () => {
    const p = new EventHubProducerClient(double.eventHubs.connectionString('hub1'));
    const before = ['0', '1', '2', '3'].map((id) => double.hooks.eventHubs.events('hub1', id).length);
    for (let i = 0; i < 4; i++) await p.sendBatch([{ body: `rr-${i}` }]);
    await p.close();
    const added = ['0', '1', '2', '3'].map((id, i) => double.hooks.eventHubs.events('hub1', id).length - (before[i] ?? 0));
    assert.deepEqual(added, [1, 1, 1, 1]);
  });

  it('delivers runtime metrics when trackLastEnqueuedEventProperties is set', async () => {
    const { lastEnqueued } = await receive('1', earliestEventPosition, 2, { trackLastEnqueuedEventProperties: true });
    const props = await producer.getPartitionProperties('1');
    assert.equal(lastEnqueued, props.lastEnqueuedSequenceNumber);
  });

  it('refuses an unknown consumer group and an unknown partition', async () => {
    const cgErr = await firstError(consumer('nope'), '0', {});
    assert.equal(cgErr.code, 'MessagingEntityNotFoundError');
    const partErr = await firstError(consumer('cg1'), '7', {});
    assert.equal(partErr.code, 'ArgumentOutOfRangeError');
    await assert.rejects(producer.getPartitionProperties('7'), (e: Error & { code?: string }) => e.code === 'ArgumentOutOfRangeError');
  });

  it('applies owner-level (epoch) rules with amqp:link:stolen', async () => {
    const low = consumer('cg1');
    const lowError = firstError(low, '3', { ownerLevel: 1 });
    await waitFor(() => double.hooks.eventHubs.consumers('hub1').some((c) => c.consumerGroup === 'cg1' && c.epoch === 1));
    const high = consumer('cg1');
    const received = new Promise<unknown>((resolve) => {
      high.subscribe('3', { processEvents: async (evs) => { if (evs[0] !== undefined) resolve(evs[0].body); }, processError: async () => undefined },
        { startPosition: latestEventPosition, ownerLevel: 5, maxWaitTimeInSeconds: 1 });
    });
    const err = await lowError;
    assert.equal(err.code, 'ReceiverDisconnectedError');
    const refused = await firstError(consumer('cg1'), '3', { ownerLevel: 2 });
    assert.equal(refused.code, 'ReceiverDisconnectedError');
    const noEpoch = await firstError(consumer('cg1'), '3', {});
    assert.equal(noEpoch.code, 'ReceiverDisconnectedError');
    await waitFor(() => double.hooks.eventHubs.consumers('hub1').filter((c) => c.consumerGroup === 'cg1' && c.partitionId === '3').length === 1);
    await producer.sendBatch([{ body: 'for-the-owner' }], { partitionId: '3' });
    assert.equal(await received, 'for-the-owner');
  });

  it('allows at most five receivers without an epoch per partition and consumer group', async () => {
    const subs = Array.from({ length: 5 }, () => consumer('cg1').subscribe('2', { processEvents: async () => undefined, processError: async () => undefined }, { startPosition: latestEventPosition }));
    await waitFor(() => double.hooks.eventHubs.consumers('hub1').filter((c) => c.consumerGroup === 'cg1' && c.partitionId === '2').length === 5);
    const sixth = await firstError(consumer('cg1'), '2', {});
    assert.equal(sixth.code, 'QuotaExceededError');
    await Promise.all(subs.map((s) => s.close()));
  });

  it('truncates a partition for retention and starts earliest consumers after it', async () => {
    assert.equal(double.hooks.eventHubs.truncate('hub1', '1', 3), 3);
    const props = await producer.getPartitionProperties('1');
    assert.equal(props.beginningSequenceNumber, 3);
    const { events } = await receive('1', earliestEventPosition, 1);
    assert.equal(events[0]?.sequenceNumber, 3);
  });

  it('advertises the hub maximum message size, which the SDK then enforces', async () => {
    const small = new EventHubProducerClient(double.eventHubs.connectionString('small'));
    try {
      const batch = await small.createBatch();
      assert.equal(batch.maxSizeInBytes, 4096);
      assert.equal(batch.tryAdd({ body: 'x'.repeat(5000) }), false);
      await assert.rejects(small.sendBatch([{ body: 'x'.repeat(5000) }]));
    } finally {
      await small.close();
    }
  });
});


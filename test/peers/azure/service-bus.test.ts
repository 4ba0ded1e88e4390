/**
 * The Service Bus part of the Azure double, driven through the unmodified @azure/service-bus SDK:
 * sends (single, array, batch), broker-assigned MessageId, peek, receiveMessages with complete,
 * renew, abandon with properties, dead-letter with reason and DLQ receive, defer, scheduled
 * messages, topic fan-out, subscribe with autoComplete, receive-and-delete, unknown entities,
 * sequence order kept through out-of-order settlement, time to live ending while locked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusReceiverOptions } from '@azure/service-bus';
import { ServiceBusClient } from '@azure/service-bus';
import { startAzureDouble } from './index.ts';
import type { AzureDouble } from './index.ts';
import { waitFor } from '../../support/wait.ts';

let double: AzureDouble;
let client: ServiceBusClient;

before(async () => {
  double = await startAzureDouble({
    serviceBus: {
      queues: [
        { name: 'q1', lockDurationMs: 30_000 },
        { name: 'q2', lockDurationMs: 30_000 },
        { name: 'q3', lockDurationMs: 30_000 },
        { name: 'q4', lockDurationMs: 30_000 },
        { name: 'q5', lockDurationMs: 30_000 },
      ],
      topics: [{ name: 't1', subscriptions: [{ name: 's1' }, { name: 's2' }] }],
    },
  });
  client = new ServiceBusClient(double.serviceBus.connectionString());
});

after(async () => {
  await client.close();
  await double.stop();
});

function receiver(entity: string, opts: ServiceBusReceiverOptions = {}): ServiceBusReceiver {
  return client.createReceiver(entity, { maxAutoLockRenewalDurationInMs: 0, ...opts });
}

async function receiveAll(r: ServiceBusReceiver, count: number): Promise<ServiceBusReceivedMessage[]> {
  const out: ServiceBusReceivedMessage[] = [];
  const start = Date.now();
  while (out.length < count && Date.now() - start < 10_000) out.push(...await r.receiveMessages(count - out.length, { maxWaitTimeInMs: 1000 }));
  return out;
}

describe('Service Bus double', () => {
  it('accepts single, array and batch sends and assigns a MessageId when the client has none', async () => {
    const sender = client.createSender('q1');
    await sender.sendMessages({ body: 'one', messageId: 'mine', applicationProperties: { n: 1 } });
    await sender.sendMessages([{ body: 'two' }, { body: { three: 3 } }]);
    const batch = await sender.createMessageBatch();
    assert.ok(batch.tryAddMessage({ body: 'four', subject: 's', contentType: 'text/plain' }));
    await sender.sendMessages(batch);
    await sender.close();
    const peeked = await receiver('q1').peekMessages(10);
    assert.deepEqual(peeked.map((m) => m.body), ['one', 'two', { three: 3 }, 'four']);
    assert.equal(peeked[0]?.messageId, 'mine');
    assert.ok(peeked.slice(1).every((m) => typeof m.messageId === 'string' && m.messageId.length > 0));
    assert.deepEqual(peeked.map((m) => Number(m.sequenceNumber)), [1, 2, 3, 4]);
    assert.equal(peeked[3]?.subject, 's');
    assert.equal(peeked[3]?.contentType, 'text/plain');
  });

  it('receives in peek-lock with lock tokens, locked-until and delivery count, then completes', async () => {
    const r = receiver('q1');
    const msgs = await receiveAll(r, 4);
    assert.equal(msgs.length, 4);
    for (const m of msgs) {
      assert.match(m.lockToken ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(m.deliveryCount, 0);
      assert.ok((m.lockedUntilUtc?.getTime() ?? 0) > Date.now());
      assert.ok(m.enqueuedTimeUtc instanceof Date);
    }
    const held = double.hooks.serviceBus.messages('q1');
    assert.deepEqual(msgs.map((m) => m.lockToken), held.map((m) => m.lockToken));
    const [first, second] = msgs;
    assert.ok(first !== undefined && second !== undefined);
    const lockedUntil = second.lockedUntilUtc?.getTime() ?? 0;
    await new Promise((res) => setTimeout(res, 20));
    const renewed = await r.renewMessageLock(second);
    assert.ok(renewed.getTime() > lockedUntil);
    for (const m of msgs) await r.completeMessage(m);
    assert.equal(double.hooks.serviceBus.messages('q1').length, 0);
    assert.deepEqual(await r.peekMessages(5), []);
    await r.close();
  });

  it('redelivers an abandoned message with the modified properties and delivery count 1', async () => {
    double.hooks.serviceBus.send('q2', [{ body: 'retry-me', properties: { keep: 'yes' } }]);
    const r = receiver('q2');
    const [m] = await receiveAll(r, 1);
    assert.ok(m !== undefined);
    await r.abandonMessage(m, { reason: 'busy', attempt: 1 });
    const [again] = await receiveAll(r, 1);
    assert.equal(again?.body, 'retry-me');
    assert.equal(again?.deliveryCount, 1);
    assert.deepEqual(again?.applicationProperties, { keep: 'yes', reason: 'busy', attempt: 1 });
    assert.equal(again?.messageId, m.messageId);
    assert.ok(again !== undefined);
    await r.completeMessage(again);
    await r.close();
  });

  it('dead-letters with reason and description, readable from the dead-letter queue', async () => {
    double.hooks.serviceBus.send('q2', [{ body: 'poison' }]);
    const r = receiver('q2');
    const [m] = await receiveAll(r, 1);
    assert.ok(m !== undefined);
    await r.deadLetterMessage(m, { deadLetterReason: 'BadFormat', deadLetterErrorDescription: 'not json' });
    const dlq = receiver('q2', { subQueueType: 'deadLetter' });
    const [dead] = await receiveAll(dlq, 1);
    assert.equal(dead?.body, 'poison');
    assert.equal(dead?.deadLetterReason, 'BadFormat');
    assert.equal(dead?.deadLetterErrorDescription, 'not json');
    assert.ok(dead !== undefined);
    await dlq.completeMessage(dead);
    assert.equal(double.hooks.serviceBus.messages('q2/$DeadLetterQueue').length, 0);
    await r.close();
    await dlq.close();
  });

  it('defers a message and receives it again by sequence number', async () => {
    double.hooks.serviceBus.send('q3', [{ body: 'later' }]);
    const r = receiver('q3');
    const [m] = await receiveAll(r, 1);
    assert.ok(m?.sequenceNumber !== undefined);
    await r.deferMessage(m);
    assert.deepEqual(await r.receiveMessages(1, { maxWaitTimeInMs: 300 }), []);
    const [deferred] = await r.receiveDeferredMessages(m.sequenceNumber);
    assert.equal(deferred?.body, 'later');
    assert.ok(deferred !== undefined);
    await r.completeMessage(deferred);
    assert.equal(double.hooks.serviceBus.messages('q3').length, 0);
    await r.close();
  });

  it('schedules messages for later and cancels scheduled ones', async () => {
    const sender = client.createSender('q3');
    const [keep] = await sender.scheduleMessages({ body: 'scheduled' }, new Date(Date.now() + 600));
    const [drop] = await sender.scheduleMessages({ body: 'cancelled' }, new Date(Date.now() + 600));
    assert.ok(keep !== undefined && drop !== undefined);
    await sender.cancelScheduledMessages(drop);
    assert.deepEqual(double.hooks.serviceBus.messages('q3').map((m) => [m.body, m.state]), [['scheduled', 'scheduled']]);
    const r = receiver('q3');
    const got = await receiveAll(r, 1);
    assert.deepEqual(got.map((m) => m.body), ['scheduled']);
    assert.ok(got[0] !== undefined);
    await r.completeMessage(got[0]);
    await sender.close();
    await r.close();
  });

  it('fans topic messages out to every subscription', async () => {
    const sender = client.createSender('t1');
    await sender.sendMessages([{ body: 'fan-1' }, { body: 'fan-2' }]);
    await sender.close();
    for (const sub of ['s1', 's2']) {
      const r = client.createReceiver('t1', sub, { maxAutoLockRenewalDurationInMs: 0 });
      const got = await receiveAll(r, 2);
      assert.deepEqual(got.map((m) => m.body), ['fan-1', 'fan-2']);
      for (const m of got) await r.completeMessage(m);
      await r.close();
    }
  });

  it('delivers to subscribe() handlers and auto-completes them', async () => {
    double.hooks.serviceBus.send('q1', [1, 2, 3].map((n) => ({ body: { n } })));
    const r = client.createReceiver('q1');
    const seen: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      r.subscribe({
        processMessage: async (m) => { seen.push(m.body); if (seen.length === 3) resolve(); },
        processError: async (args) => reject(args.error),
      }, { maxConcurrentCalls: 2 });
    });
    assert.deepEqual(seen, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await waitFor(() => double.hooks.serviceBus.messages('q1').length === 0);
    await r.close();
  });

  it('removes messages on delivery in receive-and-delete mode', async () => {
    double.hooks.serviceBus.send('q1', [{ body: 'gone-1' }, { body: 'gone-2' }]);
    const r = client.createReceiver('q1', { receiveMode: 'receiveAndDelete' });
    const got = await receiveAll(r, 2);
    assert.deepEqual(got.map((m) => m.body), ['gone-1', 'gone-2']);
    assert.equal(got[0]?.lockToken, undefined);
    assert.equal(double.hooks.serviceBus.messages('q1').length, 0);
    await r.close();
  });

  it('reports unknown entities as MessagingEntityNotFound', async () => {
    await assert.rejects(receiver('nope').receiveMessages(1, { maxWaitTimeInMs: 500 }), (e: Error & { code?: string }) => e.code === 'MessagingEntityNotFound');
    const sender = client.createSender('nope');
    await assert.rejects(sender.sendMessages({ body: 1 }), (e: Error & { code?: string }) => e.code === 'MessagingEntityNotFound');
    await sender.close();
  });

  it('keeps delivering past 2048 unsettled-then-settled deliveries on one link when the receiver settles out of order', async () => {
    const n = 3000;
    for (let i = 0; i < n; i += 500) double.hooks.serviceBus.send('q3', Array.from({ length: 500 }, (_, j) => ({ body: i + j })));
    const r = client.createReceiver('q3', { maxAutoLockRenewalDurationInMs: 0 });
    let done = 0;
    await new Promise<void>((resolve, reject) => {
      r.subscribe({
        processMessage: async (m) => {
          await new Promise((res) => setTimeout(res, Number(m.body) % 7));
          await r.completeMessage(m);
          if (++done === n) resolve();
        },
        processError: async (args) => reject(args.error),
      }, { autoCompleteMessages: false, maxConcurrentCalls: 500 });
    });
    assert.equal(double.hooks.serviceBus.messages('q3').length, 0);
    await r.close();
  });

  it('keeps sequence order when messages are settled and dead-lettered out of order', async () => {
    double.hooks.serviceBus.send('q4', Array.from({ length: 6 }, (_, i) => ({ body: i })));
    const r = receiver('q4');
    const got = await receiveAll(r, 6);
    assert.deepEqual(got.map((m) => m.body), [0, 1, 2, 3, 4, 5]);
    const [m0, m1, m2, m3, m4, m5] = got;
    assert.ok(m0 && m1 && m2 && m3 && m4 && m5);
    await r.completeMessage(m2);
    for (const m of [m5, m3, m0]) await r.deadLetterMessage(m, { deadLetterReason: 'test', deadLetterErrorDescription: 'out of order' });
    await r.abandonMessage(m4);
    await r.abandonMessage(m1);
    const again = await receiveAll(r, 2);
    assert.deepEqual(again.map((m) => m.body), [1, 4]);
    const dlq = receiver('q4', { subQueueType: 'deadLetter' });
    const dead = await dlq.peekMessages(10);
    assert.deepEqual(dead.map((m) => m.body), [0, 3, 5]);
    assert.deepEqual(dead.map((m) => Number(m.sequenceNumber)), [m0, m3, m5].map((m) => Number(m.sequenceNumber)));
    for (const m of again) await r.completeMessage(m);
    assert.equal(double.hooks.serviceBus.messages('q4').length, 0);
    await r.close();
    await dlq.close();
  });

  it('expires a message whose time to live ended while it was locked once its lock ends, and keeps the others', async () => {
    const sender = client.createSender('q5');
    await sender.sendMessages([{ body: 'short-lived', timeToLive: 300 }, { body: 'kept' }]);
    await sender.close();
    const r = receiver('q5');
    const got = await receiveAll(r, 2);
    assert.deepEqual(got.map((m) => m.body), ['short-lived', 'kept']);
    await new Promise((res) => setTimeout(res, 500));
    for (const m of got) await r.abandonMessage(m);
    const again = await receiveAll(r, 1);
    assert.deepEqual(again.map((m) => m.body), ['kept']);
    assert.deepEqual((await r.peekMessages(5)).map((m) => m.body), ['kept']);
    for (const m of again) await r.completeMessage(m);
    await r.close();
  });
});

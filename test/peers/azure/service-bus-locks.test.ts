/**
 * Service Bus lock and expiry semantics of the Azure double through @azure/service-bus: lock
 * expiry (auto-renew off) makes late settlement fail with MessageLockLost and redelivers the
 * message, max delivery count moves it to the dead-letter queue, auto lock renewal keeps a slow
 * handler's lock alive, time-to-live expiry dead-letters or drops messages, and a lock belongs to
 * the link that took it: after the connection drops, settling fails and the message comes back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import { ServiceBusClient } from '@azure/service-bus';
import { startAzureDouble } from './index.ts';
import type { AzureDouble } from './index.ts';
import { waitFor } from '../../support/wait.ts';

const LOCK_MS = 1500;
let double: AzureDouble;
let client: ServiceBusClient;

before(async () => {
  double = await startAzureDouble({
    serviceBus: {
      queues: [
        { name: 'short', lockDurationMs: LOCK_MS, maxDeliveryCount: 2 },
        { name: 'renew', lockDurationMs: 2000 },
        { name: 'ttl-dlq', defaultTtlMs: 300, deadLetterOnExpiration: true },
        { name: 'ttl-drop' },
        { name: 'linked', lockDurationMs: 60_000 },
      ],
    },
  });
  client = new ServiceBusClient(double.serviceBus.connectionString());
});

after(async () => {
  await client.close();
  await double.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const isLockLost = (e: Error & { code?: string }): boolean => e.code === 'MessageLockLost';

async function receiveOne(r: ServiceBusReceiver): Promise<ServiceBusReceivedMessage> {
  const start = Date.now();
  while (Date.now() - start < 10_000) {
    const [m] = await r.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    if (m !== undefined) return m;
  }
  throw new Error('no message received');
}

/**
 * Settles a message whose link was dropped and returns the error the settlement ends with. The SDK
 * reconnects on its own; a settlement that races that reconnect fails with a transient connection
 * error (as it would against Azure), so it is retried until the service itself answers.
 */
async function settleAfterDrop(r: ServiceBusReceiver, m: ServiceBusReceivedMessage): Promise<Error & { code?: string }> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const err: Error & { code?: string } = await r.completeMessage(m).then(
      () => new Error('settling succeeded: the lock outlived its link'),
      (e: unknown) => e as Error & { code?: string },
    );
    const transient = err.code === undefined && /connect/i.test(err.message);
    if (!transient) return err;
    await sleep(200);
  }
  throw new Error('the settlement never reached the double');
}

describe('Service Bus double: locks and expiry', () => {
  it('fails late settlement with MessageLockLost, redelivers, and dead-letters after max delivery count', async () => {
    double.hooks.serviceBus.send('short', [{ body: 'slow' }]);
    const r = client.createReceiver('short', { maxAutoLockRenewalDurationInMs: 0 });
    const first = await receiveOne(r);
    assert.equal(first.deliveryCount, 0);
    await sleep(LOCK_MS + 300);
    await assert.rejects(r.completeMessage(first), isLockLost);
    await assert.rejects(r.renewMessageLock(first), isLockLost);

    const second = await receiveOne(r);
    assert.equal(second.body, 'slow');
    assert.equal(second.deliveryCount, 1);
    assert.notEqual(second.lockToken, first.lockToken);
    await r.abandonMessage(second);
    assert.equal(double.hooks.serviceBus.messages('short').length, 0);

    const dlq = client.createReceiver('short', { subQueueType: 'deadLetter', maxAutoLockRenewalDurationInMs: 0 });
    const dead = await receiveOne(dlq);
    assert.equal(dead.body, 'slow');
    assert.equal(dead.deadLetterReason, 'MaxDeliveryCountExceeded');
    await dlq.completeMessage(dead);
    await r.close();
    await dlq.close();
  });

  it('keeps a slow handler alive with automatic lock renewal', async () => {
    double.hooks.serviceBus.send('renew', [{ body: 'long-job' }]);
    const r = client.createReceiver('renew', { maxAutoLockRenewalDurationInMs: 20_000 });
    const errors: Error[] = [];
    let calls = 0;
    const done = new Promise<void>((resolve) => {
      r.subscribe({
        processMessage: async () => {
          calls++;
          await sleep(3500);
          resolve();
        },
        processError: async (args) => { errors.push(args.error); },
      });
    });
    await done;
    await waitFor(() => double.hooks.serviceBus.messages('renew').length === 0);
    await r.close();
    assert.equal(calls, 1);
    assert.deepEqual(errors, []);
  });

  it('dead-letters expired messages when the queue says so, and drops them otherwise', async () => {
    double.hooks.serviceBus.send('ttl-dlq', [{ body: 'stale' }]);
    const sender = client.createSender('ttl-drop');
    await sender.sendMessages({ body: 'short-lived', timeToLive: 300 });
    await sender.close();
    await sleep(500);
    const r = client.createReceiver('ttl-dlq', { maxAutoLockRenewalDurationInMs: 0 });
    assert.deepEqual(await r.receiveMessages(1, { maxWaitTimeInMs: 300 }), []);
    const dlq = client.createReceiver('ttl-dlq', { subQueueType: 'deadLetter', maxAutoLockRenewalDurationInMs: 0 });
    const dead = await receiveOne(dlq);
    assert.equal(dead.body, 'stale');
    assert.equal(dead.deadLetterReason, 'TTLExpiredException');
    await dlq.completeMessage(dead);
    assert.deepEqual(await client.createReceiver('ttl-drop').peekMessages(5), []);
    await r.close();
    await dlq.close();
  });

  it('releases the locks of a link whose connection dropped: settling fails with MessageLockLost and the message comes back', async () => {
    double.hooks.serviceBus.send('linked', [{ body: 'held' }]);
    const own = new ServiceBusClient(double.serviceBus.connectionString());
    const r = own.createReceiver('linked', { maxAutoLockRenewalDurationInMs: 0 });
    const first = await receiveOne(r);
    assert.equal(double.hooks.serviceBus.messages('linked')[0]?.lockToken, first.lockToken);
    assert.ok(double.hooks.faults.dropConnections('serviceBus', 'close') > 0);
    await waitFor(() => double.hooks.serviceBus.messages('linked')[0]?.lockToken === undefined, 'the lock released with its link');
    assert.ok(isLockLost(await settleAfterDrop(r, first)), 'the lock did not outlive its link (60 s lock duration)');
    const again = await receiveOne(r);
    assert.deepEqual([again.body, again.deliveryCount, again.messageId], ['held', 1, first.messageId]);
    await r.completeMessage(again);
    assert.equal(double.hooks.serviceBus.messages('linked').length, 0);
    await r.close();
    await own.close();
  });
});

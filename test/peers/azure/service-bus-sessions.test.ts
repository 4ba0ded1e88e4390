/**
 * Service Bus sessions in the Azure double through @azure/service-bus: session-enabled entities
 * refuse messages without a session id and non-session receivers; acceptNextSession takes the
 * oldest free session, acceptSession a named one; one receiver holds a session at a time and gets
 * its messages in order; session state and renew-session-lock; a closed session gives its unsettled
 * messages back (delivery count + 1); an expired session lock fails settlement with SessionLockLost;
 * a topic's session-enabled subscription dead-letters messages without a session id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusSessionReceiver } from '@azure/service-bus';
import { ServiceBusClient } from '@azure/service-bus';
import { startAzureDouble } from './index.ts';
import type { AzureDouble } from './index.ts';

let double: AzureDouble;
let client: ServiceBusClient;

before(async () => {
  double = await startAzureDouble({
    serviceBus: {
      queues: [
        { name: 'sq', requiresSession: true, lockDurationMs: 30_000 },
        { name: 'sq-short', requiresSession: true, lockDurationMs: 1000 },
        { name: 'plain', lockDurationMs: 30_000 },
      ],
      topics: [{ name: 'st', subscriptions: [{ name: 'sessions', requiresSession: true }, { name: 'all' }] }],
    },
  });
  client = new ServiceBusClient(double.serviceBus.connectionString(), { retryOptions: { maxRetries: 0, timeoutInMs: 5000 } });
});

after(async () => {
  await client.close();
  await double.stop();
});

const code = (e: unknown): string | undefined => (e as { code?: string }).code;

async function receiveAll(r: ServiceBusReceiver | ServiceBusSessionReceiver, count: number): Promise<ServiceBusReceivedMessage[]> {
  const out: ServiceBusReceivedMessage[] = [];
  for (let i = 0; i < 20 && out.length < count; i++) out.push(...await r.receiveMessages(count - out.length, { maxWaitTimeInMs: 300 }));
  return out;
}

describe('Service Bus double: sessions', () => {
  it('refuses a message without a session id and a non-session receiver, as Azure does', async () => {
    const sender = client.createSender('sq');
    await assert.rejects(sender.sendMessages({ body: 'no-session' }), /SessionId was not set on a message/);
    await sender.close();
    const r = client.createReceiver('sq', { maxAutoLockRenewalDurationInMs: 0 });
    await assert.rejects(r.receiveMessages(1, { maxWaitTimeInMs: 500 }), /requires sessions to create a non-sessionful message receiver/);
    await r.close();
    await assert.rejects(client.acceptNextSession('plain'), /does not require sessions/);
  });

  it('hands each session to one receiver, in order, and the next free session to the next receiver', async () => {
    const sender = client.createSender('sq');
    await sender.sendMessages([
      { body: 'a-1', sessionId: 'A' }, { body: 'b-1', sessionId: 'B' }, { body: 'a-2', sessionId: 'A' }, { body: 'b-2', sessionId: 'B' }, { body: 'a-3', sessionId: 'A' },
    ]);
    await sender.close();
    const first = await client.acceptNextSession('sq', { maxAutoLockRenewalDurationInMs: 0 });
    assert.equal(first.sessionId, 'A', 'the session of the oldest message');
    assert.ok(first.sessionLockedUntilUtc !== undefined && first.sessionLockedUntilUtc.getTime() > Date.now() + 20_000);
    await assert.rejects(client.acceptSession('sq', 'A'), (e) => code(e) === 'SessionCannotBeLocked');
    const second = await client.acceptNextSession('sq', { maxAutoLockRenewalDurationInMs: 0 });
    assert.equal(second.sessionId, 'B');
    await assert.rejects(client.acceptNextSession('sq'), (e) => code(e) === 'ServiceTimeout', 'no free session left');
    const a = await receiveAll(first, 3);
    assert.deepEqual(a.map((m) => [m.body, m.sessionId]), [['a-1', 'A'], ['a-2', 'A'], ['a-3', 'A']]);
    const b = await receiveAll(second, 2);
    assert.deepEqual(b.map((m) => m.body), ['b-1', 'b-2']);
    for (const m of a) await first.completeMessage(m);
    for (const m of b) await second.completeMessage(m);
    assert.equal(double.hooks.serviceBus.messages('sq').length, 0);
    await first.close();
    await second.close();
  });

  it('keeps session state, renews the session lock, and gives unsettled messages back when the session closes', async () => {
    const sender = client.createSender('sq');
    await sender.sendMessages([{ body: 'c-1', sessionId: 'C' }, { body: 'c-2', sessionId: 'C' }]);
    await sender.close();
    const s = await client.acceptSession('sq', 'C', { maxAutoLockRenewalDurationInMs: 0 });
    assert.equal(await s.getSessionState(), null);
    await s.setSessionState('step-1');
    assert.equal(await s.getSessionState(), 'step-1');
    const before = s.sessionLockedUntilUtc?.getTime() ?? 0;
    await new Promise((r) => setTimeout(r, 20));
    assert.ok((await s.renewSessionLock()).getTime() > before);
    const [m1] = await receiveAll(s, 1);
    assert.equal(m1?.body, 'c-1');
    await s.close();
    const again = await client.acceptSession('sq', 'C', { maxAutoLockRenewalDurationInMs: 0 });
    assert.equal(await again.getSessionState(), 'step-1', 'the state outlives the lock');
    const got = await receiveAll(again, 2);
    assert.deepEqual(got.map((m) => [m.body, m.deliveryCount]), [['c-1', 1], ['c-2', 0]]);
    for (const m of got) await again.completeMessage(m);
    await again.setSessionState(undefined);
    await again.close();
  });

  it('fails settlement with SessionLockLost once the session lock expired, and redelivers', async () => {
    double.hooks.serviceBus.send('sq-short', [{ body: 'slow', sessionId: 'D' }]);
    const s = await client.acceptSession('sq-short', 'D', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiveAll(s, 1);
    assert.ok(m !== undefined);
    await new Promise((r) => setTimeout(r, 1300));
    await assert.rejects(s.completeMessage(m), (e) => code(e) === 'SessionLockLost');
    await s.close().catch(() => undefined);
    const again = await client.acceptSession('sq-short', 'D', { maxAutoLockRenewalDurationInMs: 0 });
    const [m2] = await receiveAll(again, 1);
    assert.deepEqual([m2?.body, m2?.deliveryCount], ['slow', 1]);
    assert.ok(m2 !== undefined);
    await again.completeMessage(m2);
    await again.close();
  });

  it('dead-letters, in a session-enabled subscription, a topic message without a session id', async () => {
    const sender = client.createSender('st');
    await sender.sendMessages({ body: 'sessionless' });
    await sender.close();
    assert.equal(double.hooks.serviceBus.messages('st/Subscriptions/all').length, 1);
    assert.equal(double.hooks.serviceBus.messages('st/Subscriptions/sessions').length, 0);
    const [dead] = double.hooks.serviceBus.messages('st/Subscriptions/sessions/$DeadLetterQueue');
    assert.equal(dead?.body, 'sessionless');
    assert.equal(dead?.properties?.['DeadLetterReason'], 'Session id is null.');
  });
});

/**
 * Connector level on the emulator: ordering keys keep publish order also across a failed delivery,
 * and a store stalled longer than the ack deadline causes no redelivery (the lease extension).
 *
 * The ordering case settles deliveries as the pipeline promises (ConnectorContext.deliver): one
 * after another, in the order made, and when one is rejected every later delivery not settled yet,
 * and every delivery made during the pause that follows, is rejected too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gcpPubSubConnector } from '../../../src/connectors/gcp-pubsub/index.ts';
import { storeUnavailable, createTestContext, type DeliveryCall } from '../../support/connector-context.ts';
import { waitFor } from '../../support/wait.ts';
import { startPubSubEmulator, type PubSubEmulator } from '../../peers/pubsub-emulator.ts';
import { emulatorConfig, freshSubscription } from './helpers.ts';

const KEYS = ['dev-a', 'dev-b', 'dev-c'];
const PER_KEY = 40;
const PAUSE_MS = 400;

/** Payloads `<key>:<n>`, interleaved across keys as a fleet sends them. */
function interleaved(): string[] {
  const out: string[] = [];
  for (let n = 0; n < PER_KEY; n++) for (const k of KEYS) out.push(`${k}:${n}`);
  return out;
}

describe('gcp-pubsub connector: ordering keys and stalls (emulator)', () => {
  let peer: PubSubEmulator;
  before(async () => { peer = await startPubSubEmulator(); });
  after(() => peer.stop());

  it('per ordering key, messages are committed in publish order, also across a failed delivery', async () => {
    const { topic, subscription } = await freshSubscription(peer, 'order', { enableMessageOrdering: true });
    const committed: string[] = [];
    let failed = 0;
    let pausedUntil = 0;
    let chain = Promise.resolve();
    const ctx = createTestContext({
      mode: (batch, call: DeliveryCall) => {
        const texts = batch.map((m) => Buffer.from(m.payload).toString());
        const offeredAt = Date.now();
        chain = chain.then(async () => {
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 10)));
          if (offeredAt < pausedUntil || Date.now() < pausedUntil) return call.reject(storeUnavailable(Math.max(50, pausedUntil - Date.now())));
          if (failed < 2 && (texts.includes('dev-a:10') || texts.includes('dev-b:25'))) {
            failed++;
            pausedUntil = Date.now() + PAUSE_MS;
            return call.reject(storeUnavailable(PAUSE_MS));
          }
          committed.push(...texts);
          call.resolve();
        });
      },
    });
    const connector = gcpPubSubConnector.create(emulatorConfig(peer, subscription, { maxMessages: 50 }), ctx);
    await connector.start();
    try {
      await peer.publish(topic, interleaved(), { orderingKey: (i) => KEYS[i % KEYS.length] ?? '' });
      await waitFor(() => new Set(committed).size === KEYS.length * PER_KEY, 'every message committed', 60_000);
      assert.equal(failed, 2, 'two deliveries failed midway');
      for (const key of KEYS) {
        const seen = new Set<string>();
        const order = committed.filter((t) => t.startsWith(`${key}:`) && !seen.has(t) && seen.add(t)).map((t) => Number(t.split(':')[1]));
        assert.deepEqual(order, Array.from({ length: PER_KEY }, (_, n) => n), `key ${key} in publish order`);
      }
      const first = ctx.delivered.find((m) => Buffer.from(m.payload).toString() === 'dev-b:0');
      assert.equal(first?.metadata.orderingKey, 'dev-b');
      assert.equal(connector.status().messageOrdering, true);
      assert.ok(Number(connector.status().retried) > 0, 'rejected messages were offered again');
      await waitFor(() => connector.status().outstanding === 0, 'every message acknowledged');
    } finally {
      await connector.stop({ drainMs: 1500 });
    }
    assert.deepEqual(await peer.drain(subscription), [], 'nothing left on the subscription');
  });

  it('a store stalled longer than the ack deadline: no message is delivered twice', async () => {
    const { topic, subscription } = await freshSubscription(peer, 'stall', { ackDeadlineSeconds: 10 });
    const ctx = createTestContext({ mode: 'hold' });
    const connector = gcpPubSubConnector.create(emulatorConfig(peer, subscription), ctx);
    await connector.start();
    try {
      await peer.publish(topic, ['slow-1', 'slow-2', 'slow-3']);
      await waitFor(() => ctx.delivered.length === 3, 'three deliveries');
      // Longer than the subscription's 10 s ack deadline, with the stream open all along.
      await new Promise((r) => setTimeout(r, 13_000));
      assert.equal(ctx.delivered.length, 3, 'no message was delivered a second time');
      assert.equal(connector.status().redeliveries, 0);
      ctx.settleAll('resolve');
      await waitFor(() => connector.status().outstanding === 0, 'the acks');
    } finally {
      await connector.stop({ drainMs: 1500 });
    }
    assert.deepEqual(await peer.drain(subscription), [], 'nothing comes back');
  });
});

/**
 * End to end on the Pub/Sub emulator: subscription → gcp-pubsub connector → pipeline → converter
 * sandbox → SQLite, each message acknowledged only after commit. Counts are read back as a user
 * would (API, store), and what the subscription still holds from the emulator.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPubSubEmulator, type PubSubEmulator } from '../../peers/pubsub-emulator.ts';
import { startTestApp, waitFor } from '../../e2e/harness.ts';
import { freshSubscription } from './helpers.ts';
import { assertStoredOnceAndAcked, pubSubIntegrationYaml, seqBodies, STATUS, type PubSubStatus as Status } from './e2e-fixtures.ts';

describe('gcp-pubsub end to end (emulator)', () => {
  let peer: PubSubEmulator;
  before(async () => { peer = await startPubSubEmulator(); });
  after(() => peer.stop());

  it('10k messages are stored exactly once and all acknowledged', async () => {
    const { topic, subscription } = await freshSubscription(peer, 'e2e-10k');
    await peer.publish(topic, seqBodies(0, 10_000));
    const t = await startTestApp({ yaml: pubSubIntegrationYaml(peer, { subscription }) });
    try {
      const status = await assertStoredOnceAndAcked(t, 10_000);
      assert.equal(status.state, 'RUNNING');
      assert.equal(status.counters.deadLettered, 0);
      assert.equal(status.details?.acknowledged, 10_000);
      assert.equal(status.details?.redeliveries, 0);
    } finally {
      await t.close();
    }
    assert.deepEqual(await peer.drain(subscription), [], 'the subscription holds nothing more');
  });

  it('a downlink lands on downlinkTopic with the encoder\'s metadata as attributes and its ordering key', async () => {
    const { topic, subscription } = await freshSubscription(peer, 'e2e-up');
    const down = await freshSubscription(peer, 'e2e-down', { enableMessageOrdering: true });
    await peer.publish(topic, seqBodies(1, 2));
    const t = await startTestApp({ yaml: pubSubIntegrationYaml(peer, { subscription, downlinkTopic: down.topic }) });
    const received: Array<{ data: string; attributes: Record<string, string>; orderingKey: string }> = [];
    const sub = peer.client.subscription(down.subscription);
    sub.on('message', (m: { data: Buffer; attributes: Record<string, string>; orderingKey?: string; ack(): void }) => {
      received.push({ data: m.data.toString(), attributes: m.attributes, orderingKey: m.orderingKey ?? '' });
      m.ack();
    });
    try {
      await waitFor(async () => (await t.api.get<Status>(STATUS)).counters.stored === 1, 'the uplink that creates dev-1', 30_000);
      const queued = await t.api.post<{ id: string }>('/devices/dev-1/downlink', { msgType: 'setValve', msg: { open: true } });
      await waitFor(async () => (await t.api.get<{ status: string }>(`/downlinks/${queued.id}`)).status === 'sent', 'the downlink sent', 10_000);
      await waitFor(() => received.length === 1, 'the downlink on its topic', 30_000);
      const [msg] = received;
      assert.deepEqual(JSON.parse(msg?.data ?? '{}'), { method: 'setValve', params: { open: true } });
      assert.equal(msg?.attributes.deviceName, 'dev-1');
      assert.equal(msg?.attributes.command, 'setValve');
      assert.equal(msg?.attributes.orderingKey, undefined, 'orderingKey sets the ordering key, not an attribute');
      assert.equal(msg?.orderingKey, 'dev-1');
    } finally {
      await sub.close();
      await t.close();
    }
  });
});

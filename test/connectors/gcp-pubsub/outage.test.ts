/**
 * Pub/Sub going away mid-stream, end to end (app + SQLite). Two honest versions of "the emulator
 * restarted", since the emulator keeps its state in memory only:
 *
 * - the endpoint restarts, the backlog stays (as when Google's frontend or the network path
 *   restarts): a TCP proxy between Cloudbridge and the emulator drops every connection and refuses
 *   new ones for a while, mid-stream. Nothing is lost and nothing is stored twice.
 * - the emulator process itself restarts: it comes back empty (no topic, no subscription, no
 *   messages), so what it held is gone on its side; what Cloudbridge had committed stays, the
 *   integration reports the missing subscription, and once the subscription exists again it
 *   resumes by itself and stores what is published there. (Messages lost inside a restarting
 *   emulator cannot be tested for: Google Cloud keeps them.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPubSubEmulator, type PubSubEmulator } from '../../peers/pubsub-emulator.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';
import { startTestApp, waitFor } from '../../e2e/harness.ts';
import { freshSubscription } from './helpers.ts';
import { assertStoredOnceAndAcked, pubSubIntegrationYaml, seqBodies, STATUS, type PubSubStatus as Status } from './e2e-fixtures.ts';

describe('gcp-pubsub: Pub/Sub restarting mid-stream (emulator)', () => {
  let peer: PubSubEmulator;
  let proxy: TcpProxy;
  before(async () => {
    peer = await startPubSubEmulator();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });
  });
  after(async () => {
    await proxy.close();
    await peer.stop();
  });

  it('the endpoint drops every connection mid-stream: nothing lost, nothing stored twice', async () => {
    const { topic, subscription } = await freshSubscription(peer, 'cut');
    await peer.publish(topic, seqBodies(0, 2000));
    const yaml = pubSubIntegrationYaml(peer, { subscription, extra: { apiEndpoint: `http://127.0.0.1:${proxy.port}`, maxMessages: 200 } });
    const t = await startTestApp({ yaml });
    try {
      await waitFor(async () => (await t.api.get<Status>(STATUS)).counters.stored >= 300, 'the first 300 stored', 60_000, 20);
      proxy.cut();
      await new Promise((r) => setTimeout(r, 2000));
      const during = (await t.api.get<Status>(STATUS)).counters.stored;
      assert.ok(during < 2000, `cut mid-stream (${during} stored)`);
      proxy.restore();
      await peer.publish(topic, seqBodies(2000, 2500));
      await assertStoredOnceAndAcked(t, 2500, 90_000);
    } finally {
      await t.close();
    }
    assert.deepEqual(await peer.drain(subscription), [], 'the subscription holds nothing more');
  });

  it('the emulator process restarts (empty): committed data stays, the missing subscription is reported, and intake resumes once it exists again', async () => {
    const { topic, subscription } = await freshSubscription(peer, 'restart');
    await peer.publish(topic, seqBodies(0, 200));
    const t = await startTestApp({ yaml: pubSubIntegrationYaml(peer, { subscription }) });
    try {
      await waitFor(async () => (await t.api.get<Status>(STATUS)).counters.stored === 200, 'the first 200 stored', 30_000);
      await peer.restart();
      const down = await waitFor(async () => {
        const s = await t.api.get<Status>(STATUS);
        return s.lastError?.code === 'NOT_FOUND' ? s : null;
      }, 'the missing subscription reported', 60_000, 200);
      assert.match(down.lastError?.message ?? '', new RegExp(`Subscription projects/test-project/subscriptions/${subscription} does not exist`));
      await peer.createTopic(topic);
      await peer.createSubscription(topic, subscription);
      await peer.publish(topic, seqBodies(200, 400));
      await waitFor(async () => (await t.api.get<Status>(STATUS)).counters.stored === 400, 'the messages published after the restart stored', 90_000, 200);
      const status = await t.api.get<Status>(STATUS);
      assert.equal(status.state, 'RUNNING');
      assert.ok(Number(status.details?.streamRestarts) >= 1, 'the stream was reopened');
      assert.equal((await t.app.store.listEntities({ kind: 'DEVICE', limit: 1 })).total, 400, 'what was committed before the restart stays');
    } finally {
      await t.close();
    }
  });
});

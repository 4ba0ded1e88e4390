import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { createConnector, publishAll, testClient, uniqueId } from './mqtt-test-client.ts';
import { createTestContext, storeUnavailable, texts } from '../../support/connector-context.ts';
import { waitFor } from '../../support/wait.ts';

describe('mqtt connector: acknowledgement and redelivery', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(() => broker.dispose());

  for (const protocolVersion of [4, 5] as const) {
    it(`does not acknowledge a message whose delivery never settles: the next session gets it again, flagged check (MQTT ${protocolVersion === 4 ? '3.1.1' : '5'})`, async () => {
      const clientId = uniqueId('held');
      const first = createConnector(broker, { clientId, protocolVersion, topicFilters: [{ filter: 'held/#', qos: 1 }] }, createTestContext({ mode: 'hold' }));
      await first.source.start();
      const pub = await testClient(broker);
      await publishAll(pub, 'held/d1', ['m1']);
      await waitFor(() => first.ctx.delivered.length === 1, 'the first delivery');
      assert.equal(first.source.status().unacked, 1);
      await first.source.stop({ drainMs: 50 });

      await publishAll(pub, 'held/d1', ['marker']);
      const second = createConnector(broker, { clientId, protocolVersion, topicFilters: [{ filter: 'held/#', qos: 1 }] });
      await second.source.start();
      try {
        await waitFor(() => texts(second.ctx.delivered).includes('marker'), 'the marker');
        assert.deepEqual(texts(second.ctx.delivered), ['m1', 'marker'], 'm1 comes again, before later messages');
        const [again] = second.ctx.delivered;
        assert.equal(again?.dedupe, 'check', 'a redelivery (DUP) is checked against committed keys');
        assert.equal(again?.sourceKey, first.ctx.delivered[0]?.sourceKey);
        assert.equal(second.ctx.delivered[1]?.dedupe, 'record-only');
      } finally {
        await pub.endAsync();
        await second.source.stop({ drainMs: 1000 });
      }
    });
  }

  it('reconnects after a rejected delivery so the broker redelivers it, and acknowledges it once it is stored', async () => {
    let rejectedOnce = false;
    const ctx = createTestContext({
      mode: (batch, call) => {
        const text = Buffer.from(batch[0]?.payload ?? []).toString();
        if (text === 'm2' && !rejectedOnce) {
          rejectedOnce = true;
          setImmediate(() => call.reject(storeUnavailable()));
        } else {
          setImmediate(() => call.resolve());
        }
      },
    });
    const clientId = uniqueId('reject');
    const { source } = createConnector(broker, { clientId, topicFilters: [{ filter: 'reject/#', qos: 1 }] }, ctx);
    await source.start();
    const pub = await testClient(broker);
    try {
      await publishAll(pub, 'reject/d1', ['m1', 'm2', 'm3']);
      await waitFor(() => ctx.calls.filter((c) => c.settled === 'resolved').map((c) => Buffer.from(c.batch[0]?.payload ?? []).toString()).includes('m2'), 'm2 stored after redelivery');
      await waitFor(() => ctx.calls.filter((c) => c.settled === 'resolved').length >= 3, 'm1, m2, m3 stored');
      const stored = new Set(ctx.calls.filter((c) => c.settled === 'resolved').map((c) => Buffer.from(c.batch[0]?.payload ?? []).toString()));
      assert.deepEqual([...stored].sort(), ['m1', 'm2', 'm3']);
      const redelivered = ctx.delivered.filter((m, i) => i >= 3);
      assert.ok(redelivered.length >= 1, 'something was redelivered');
      assert.ok(redelivered.every((m) => m.dedupe === 'check'), 'redeliveries are flagged check');
      assert.ok(source.status().reconnects >= 1);
      const lost = ctx.states.find((s) => s.state === 'disconnected');
      assert.equal((lost?.error as { code?: string } | undefined)?.code, 'STORE_UNAVAILABLE');
      assert.equal(ctx.states.at(-1)?.state, 'connected');

      await publishAll(pub, 'reject/d1', ['marker']);
      await waitFor(() => texts(ctx.delivered).includes('marker'), 'the marker');
    } finally {
      await pub.endAsync();
      await source.stop({ drainMs: 1000 });
    }
    const check = createConnector(broker, { clientId, topicFilters: [{ filter: 'reject/#', qos: 1 }] });
    const pub2 = await testClient(broker);
    await publishAll(pub2, 'reject/d1', ['after']);
    await check.source.start();
    try {
      await waitFor(() => texts(check.ctx.delivered).includes('after'), 'the message published while stopped');
      assert.deepEqual(texts(check.ctx.delivered), ['after'], 'everything stored before was acknowledged');
    } finally {
      await pub2.endAsync();
      await check.source.stop({ drainMs: 1000 });
    }
  });

  it('starts even when the first deliveries of a resumed session are rejected, and gets them again', async () => {
    const clientId = uniqueId('resume');
    const setup = createConnector(broker, { clientId, topicFilters: [{ filter: 'resume/#', qos: 1 }] });
    await setup.source.start();
    await setup.source.stop({ drainMs: 1000 });
    const pub = await testClient(broker);
    await publishAll(pub, 'resume/d1', ['q1', 'q2', 'q3']);
    let rejections = 0;
    const ctx = createTestContext({
      mode: (_batch, call) => {
        if (rejections < 2) {
          rejections++;
          setImmediate(() => call.reject(storeUnavailable()));
        } else {
          setImmediate(() => call.resolve());
        }
      },
    });
    const { source } = createConnector(broker, { clientId, topicFilters: [{ filter: 'resume/#', qos: 1 }] }, ctx);
    await source.start();
    try {
      await waitFor(() => new Set(ctx.calls.filter((c) => c.settled === 'resolved').map((c) => Buffer.from(c.batch[0]?.payload ?? []).toString())).size === 3, 'q1..q3 stored');
      assert.ok(source.status().reconnects >= 1);
      assert.equal(source.status().connected, true);
    } finally {
      await pub.endAsync();
      await source.stop({ drainMs: 1000 });
    }
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`never has more than maxInFlight messages un-acknowledged, and takes the rest in as they settle (MQTT ${protocolVersion === 4 ? '3.1.1' : '5'})`, async () => {
      const ctx = createTestContext({ mode: 'hold' });
      const { source } = createConnector(broker, { protocolVersion, maxInFlight: 5, topicFilters: [{ filter: 'cap/#', qos: 1 }] }, ctx);
      await source.start();
      const pub = await testClient(broker);
      try {
        const payloads = Array.from({ length: 40 }, (_, i) => `n${i}`);
        await publishAll(pub, 'cap/d1', payloads);
        await waitFor(() => ctx.pending().length === 5, '5 pending deliveries');
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(ctx.delivered.length, 5, 'nothing beyond the cap was read while all 5 were pending');
        assert.equal(source.status().inFlight, 5);
        assert.equal(source.status().unacked, 5);
        while (ctx.delivered.length < payloads.length || ctx.pending().length > 0) {
          const pending = ctx.pending();
          pending[0]?.resolve();
          assert.ok(source.status().inFlight <= 5);
          await new Promise((r) => setTimeout(r, 1));
        }
        assert.deepEqual(texts(ctx.delivered), payloads, 'all arrive, in publish order');
        assert.ok(ctx.maxPending <= 5, `max pending was ${ctx.maxPending}`);
        await waitFor(() => source.status().unacked === 0, 'all PUBACKs written');
      } finally {
        await pub.endAsync();
        await source.stop({ drainMs: 1000 });
      }
    });
  }

  it('stop() waits for in-flight deliveries and writes their PUBACKs before disconnecting', async () => {
    const clientId = uniqueId('drain');
    const ctx = createTestContext({ mode: 'hold' });
    const { source } = createConnector(broker, { clientId, topicFilters: [{ filter: 'drain/#', qos: 1 }] }, ctx);
    await source.start();
    const pub = await testClient(broker);
    await publishAll(pub, 'drain/d1', ['a', 'b', 'c']);
    await waitFor(() => ctx.pending().length === 3, '3 pending deliveries');
    const stopped = source.stop({ drainMs: 5000 });
    await new Promise((r) => setTimeout(r, 20));
    await publishAll(pub, 'drain/d1', ['after-stop']);
    ctx.settleAll('resolve');
    await stopped;
    assert.deepEqual(texts(ctx.delivered), ['a', 'b', 'c'], 'nothing is taken in after stop() began');

    const next = createConnector(broker, { clientId, topicFilters: [{ filter: 'drain/#', qos: 1 }] });
    await next.source.start();
    try {
      await waitFor(() => texts(next.ctx.delivered).includes('after-stop'), 'the message that arrived during stop');
      assert.deepEqual(texts(next.ctx.delivered), ['after-stop'], 'a, b and c were acknowledged during the drain');
    } finally {
      await pub.endAsync();
      await next.source.stop({ drainMs: 1000 });
    }
  });
});

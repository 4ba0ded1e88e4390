import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { createConnector, publishAll, testClient } from './mqtt-test-client.ts';
import { texts } from '../../support/connector-context.ts';
import { waitFor } from '../../support/wait.ts';

describe('mqtt connector: uplink', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(() => broker.dispose());

  it('delivers each message with its topic as metadata and a content hash as sourceKey', async () => {
    const { source, ctx } = createConnector(broker, { topicFilters: [{ filter: 'plant/+/telemetry', qos: 1 }, { filter: 'plant/+/status', qos: 0 }] });
    await source.start();
    try {
      const pub = await testClient(broker);
      await publishAll(pub, 'plant/d1/telemetry', ['{"t":21}', '{"t":22}']);
      await publishAll(pub, 'plant/d2/status', ['online'], { qos: 0 });
      await publishAll(pub, 'other/topic', ['not subscribed']);
      await waitFor(() => ctx.delivered.length === 3, '3 deliveries');
      await pub.endAsync();

      assert.deepEqual(texts(ctx.delivered).sort(), ['online', '{"t":21}', '{"t":22}']);
      const first = ctx.delivered.find((m) => Buffer.from(m.payload).toString() === '{"t":21}');
      assert.ok(first);
      assert.deepEqual(first.metadata, { topic: 'plant/d1/telemetry' });
      const expectedKey = createHash('sha256').update('plant/d1/telemetry').update(Buffer.from([0])).update('{"t":21}').digest('hex');
      assert.equal(first.sourceKey, expectedKey);
      assert.equal(first.dedupe, 'record-only');
      assert.ok(ctx.delivered.every((m) => m.receivedAt > 0));
      assert.equal(ctx.delivered.find((m) => m.metadata.topic === 'plant/d2/status')?.dedupe, 'record-only');

      const status = source.status();
      assert.equal(status.connected, true);
      assert.deepEqual(status.subscriptions, [
        { filter: 'plant/+/telemetry', requestedQos: 1, grantedQos: 1 },
        { filter: 'plant/+/status', requestedQos: 0, grantedQos: 0 },
      ]);
      await waitFor(() => source.status().unacked === 0, 'all PUBACKs written');
      assert.equal(status.reconnects, 0);
      assert.equal(source.status().received, 3);
      assert.deepEqual(ctx.states.map((s) => s.state), ['connecting', 'connected']);
    } finally {
      await source.stop({ drainMs: 1000 });
    }
    assert.equal(ctx.states.at(-1)?.state, 'disconnected');
  });

  it('gives a repeated payload the same sourceKey, and stores it again (record-only)', async () => {
    const { source, ctx } = createConnector(broker, { topicFilters: [{ filter: 'repeat/#', qos: 1 }] });
    await source.start();
    try {
      const pub = await testClient(broker);
      await publishAll(pub, 'repeat/a', ['same']);
      await publishAll(pub, 'repeat/a', ['same']);
      await publishAll(pub, 'repeat/b', ['same']);
      await waitFor(() => ctx.delivered.length === 3, '3 deliveries');
      await pub.endAsync();
      const [a1, a2, b] = ctx.delivered;
      assert.equal(a1?.sourceKey, a2?.sourceKey);
      assert.notEqual(a1?.sourceKey, b?.sourceKey, 'the topic is part of the key');
      assert.deepEqual(ctx.delivered.map((m) => m.dedupe), ['record-only', 'record-only', 'record-only']);
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('marks a retained message replayed on subscribe as check (it may have been stored before)', async () => {
    const pub = await testClient(broker);
    await pub.publishAsync('retained/dev1', 'last-known', { qos: 1, retain: true });
    const { source, ctx } = createConnector(broker, { topicFilters: [{ filter: 'retained/#', qos: 1 }] });
    await source.start();
    try {
      await waitFor(() => ctx.delivered.length === 1, 'the retained message');
      assert.equal(ctx.delivered[0]?.dedupe, 'check');
      await publishAll(pub, 'retained/dev1', ['live']);
      await waitFor(() => ctx.delivered.length === 2, 'the live message');
      assert.equal(ctx.delivered[1]?.dedupe, 'record-only');
    } finally {
      await pub.publishAsync('retained/dev1', '', { qos: 1, retain: true });
      await pub.endAsync();
      await source.stop({ drainMs: 1000 });
    }
  });

  it('uses a random cloudbridge-<id> client id when none is configured', async () => {
    const { source } = createConnector(broker, { clientId: undefined });
    await source.start();
    try {
      assert.match(source.status().clientId ?? '', /^cloudbridge-[0-9a-f]{10}$/);
      assert.equal(source.status().endpoint, `127.0.0.1:${broker.port}`);
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('puts MQTT 5 user properties into the metadata as strings', async () => {
    const { source, ctx } = createConnector(broker, { protocolVersion: 5, topicFilters: [{ filter: 'v5/#', qos: 1 }] });
    await source.start();
    try {
      const pub = await testClient(broker, { protocolVersion: 5 });
      await publishAll(pub, 'v5/dev', ['{"x":1}'], { properties: { userProperties: { deviceType: 'thermometer', tags: ['a', 'b'], topic: 'spoofed' } } });
      await waitFor(() => ctx.delivered.length === 1, 'the v5 message');
      await pub.endAsync();
      assert.deepEqual(ctx.delivered[0]?.metadata, { deviceType: 'thermometer', tags: '["a","b"]', topic: 'v5/dev' });
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });
});

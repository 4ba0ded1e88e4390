import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mqttConnector, type MqttConfig } from '../../../src/connectors/mqtt/index.ts';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { createConnector, publishAll, testClient } from './mqtt-test-client.ts';
import { texts } from '../../support/connector-context.ts';
import { waitFor } from '../../support/wait.ts';

const signal = new AbortController().signal;

describe('mqtt connector: testConnection', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto({ users: { cb: 'pw' } }); });
  after(() => broker.dispose());

  const config = (extra: Partial<MqttConfig> = {}): MqttConfig => ({
    host: broker.host, port: broker.port, username: 'cb', password: 'pw', clientId: 'cb-main',
    topicFilters: [{ filter: 'devices/+/telemetry', qos: 1 }, { filter: '$share/group/devices/#', qos: 1 }],
    ...extra,
  });

  it('connects, subscribes and describes each step', async () => {
    const result = await mqttConnector.testConnection(config(), signal);
    assert.equal(result.ok, true);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.checks.map((c) => [c.name, c.ok]), [['connect', true], ['subscribe', true], ['subscribe-shared', true]]);
    assert.equal(result.checks[0]?.message, `connected to mqtt://127.0.0.1:${broker.port} as user "cb" (MQTT 3.1.1)`);
    assert.equal(result.checks[1]?.message, 'subscribed to 1 filter: "devices/+/telemetry" (QoS 1)');
    assert.match(result.checks[2]?.message ?? '', /not tried for "\$share\/group\/devices\/#"/);
  });

  it('reports bad credentials as AUTH_FAILED without the password', async () => {
    const result = await mqttConnector.testConnection(config({ password: 'wrong-pw' }), signal);
    assert.equal(result.ok, false);
    assert.equal(result.error?.code, 'AUTH_FAILED');
    assert.equal(result.checks[0]?.name, 'connect');
    assert.equal(result.checks[0]?.ok, false);
    assert.doesNotMatch(JSON.stringify(result), /wrong-pw/);
  });

  it('reports an invalid config before connecting', async () => {
    const result = await mqttConnector.testConnection(config({ topicFilters: [{ filter: 'a/#/b' }] }), signal);
    assert.equal(result.ok, false);
    assert.equal(result.error?.code, 'CONFIG_INVALID');
    assert.deepEqual(result.checks.map((c) => c.name), ['config']);
  });

  it('does not disturb a running integration with the same client id and persistent session', async () => {
    const { source, ctx } = createConnector(broker, { username: 'cb', password: 'pw', clientId: 'cb-running', topicFilters: [{ filter: 'devices/#', qos: 1 }] });
    await source.start();
    try {
      const result = await mqttConnector.testConnection(config({ clientId: 'cb-running' }), signal);
      assert.equal(result.ok, true);
      const pub = await testClient(broker, { username: 'cb', password: 'pw' });
      await publishAll(pub, 'devices/d1', ['still-flowing']);
      await waitFor(() => ctx.delivered.length === 1, 'a message after the check');
      await pub.endAsync();
      assert.deepEqual(texts(ctx.delivered), ['still-flowing']);
      assert.deepEqual(ctx.states.map((s) => s.state), ['connecting', 'connected'], 'never disconnected');
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });
});

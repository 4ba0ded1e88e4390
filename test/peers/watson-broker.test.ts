/**
 * The Watson IoT stand-in (watson-broker.ts) enforces what the connector tests rely on: a password
 * per identity over TLS, and an ACL letting only the application API key read events and device
 * status and write commands.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync, type MqttClient } from 'mqtt';
import { startWatsonBroker, type WatsonBroker } from './watson-broker.ts';

/** Subscribes and collects the topics of what arrives. */
async function listen(client: MqttClient, filter: string): Promise<string[]> {
  const topics: string[] = [];
  client.on('message', (topic) => topics.push(topic));
  await client.subscribeAsync(filter, { qos: 1 });
  return topics;
}

/** A marker message through the same broker: once it arrived, everything published before it had its chance. */
async function settle(watson: WatsonBroker): Promise<void> {
  const app = await watson.application('settle');
  const seen = await listen(app, 'iot-2/type/settle/id/+/evt/+/fmt/+');
  const device = await watson.device('settle', 's1');
  await device.publishAsync('iot-2/type/settle/id/s1/evt/done/fmt/json', '{}', { qos: 1 });
  while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
  await Promise.all([app.endAsync(), device.endAsync()]);
}

describe('Watson IoT stand-in', () => {
  let watson: WatsonBroker;
  before(async () => { watson = await startWatsonBroker({ mosquitto: { persistence: false } }); });
  after(async () => { await watson?.dispose(); });

  it('refuses a wrong token over TLS with CONNACK not authorized', async () => {
    await assert.rejects(connectAsync(watson.url, { ca: watson.ca, username: watson.apiKey, password: 'wrong', clientId: `a:${watson.org}:x`, reconnectPeriod: 0 }),
      (err: Error & { code?: number }) => err.code === 5 || err.code === 4);
  });

  it('only the application reads events and status; only it writes commands', async () => {
    const app = await watson.application('acl-app');
    const appEvents = await listen(app, 'iot-2/type/+/id/+/evt/+/fmt/+');
    const appStatus = await listen(app, 'iot-2/type/+/id/+/mon');
    const snoop = await watson.device('sensor', 'snoop');
    const snooped = await listen(snoop, 'iot-2/type/+/id/+/evt/+/fmt/+');
    const target = await watson.device('sensor', 'target');
    const commands = await listen(target, 'iot-2/type/sensor/id/target/cmd/+/fmt/+');
    const platform = await watson.platform();
    // Denied publishes each on a client of their own: Mosquitto 2.0.11 acknowledges one and then drops the connection.
    const forger = await watson.device('sensor', 'forger');
    const forgerApp = await watson.application('acl-forger');

    await target.publishAsync('iot-2/type/sensor/id/target/evt/reading/fmt/json', '{"v":1}', { qos: 1 });
    await platform.publishAsync('iot-2/type/sensor/id/target/mon', '{"Action":"Connect"}', { qos: 1 });
    await app.publishAsync('iot-2/type/sensor/id/target/cmd/open/fmt/json', '{}', { qos: 1 });
    await forger.publishAsync('iot-2/type/sensor/id/target/cmd/forged/fmt/json', '{}', { qos: 1 });
    await forgerApp.publishAsync('iot-2/type/sensor/id/target/evt/forged/fmt/json', '{}', { qos: 1 });
    await settle(watson);

    assert.deepEqual(appEvents.filter((t) => t.includes('/sensor/') && t.includes('/evt/')), ['iot-2/type/sensor/id/target/evt/reading/fmt/json'], 'the application gets the device event, not the forged one');
    assert.deepEqual(appStatus.filter((t) => t.endsWith('/mon')), ['iot-2/type/sensor/id/target/mon']);
    assert.deepEqual(snooped, [], 'a device reads no events');
    assert.deepEqual(commands, ['iot-2/type/sensor/id/target/cmd/open/fmt/json'], 'only the application\'s command arrives');
    await Promise.all([app, snoop, target, platform, forger, forgerApp].map((c) => c.endAsync(true)));
  });
});

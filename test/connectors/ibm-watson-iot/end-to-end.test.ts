/**
 * ibm-watson-iot end to end, in-process: the Watson IoT stand-in (Mosquitto, TLS, password, ACL) →
 * connector → pipeline → converter sandbox → SQLite, driven and read back through the API as a
 * user would: 10k events exactly once, device status as the connected attribute, a command round
 * trip with a ThingsBoard encoder, and the documented errors for a wrong token and a wrong org.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWatsonBroker, type WatsonBroker } from '../../peers/watson-broker.ts';
import { startTestApp, waitFor, type TestApp } from '../../e2e/harness.ts';
import { publishSeq } from '../mqtt/mqtt-test-client.ts';
import { appConfig, appYaml, DEVICE_ID_DECODER, eventTopic, statusPayload, watsonConfig } from './helpers.ts';

interface Status { state: string; counters: { stored: number; duplicates: number }; lastError: { code: string; message: string } | null }
interface Attribute { key: string; scope: string; value: unknown }

async function status(t: TestApp): Promise<Status> {
  return t.api.get<Status>('/integrations/watson/status');
}

describe('ibm-watson-iot end to end', () => {
  let watson: WatsonBroker;
  before(async () => { watson = await startWatsonBroker(); });
  after(async () => { await watson?.dispose(); });

  it('10k events are stored exactly once', async () => {
    const t = await startTestApp({ yaml: appYaml(watsonConfig(watson, { appId: 'e2e-10k', events: [{ deviceType: 'meter', eventId: 'reading' }] })) });
    try {
      const device = await watson.device('meter', 'm1');
      await publishSeq(device, eventTopic('meter', 'm1'), 0, 10_000, 500);
      await device.endAsync();
      await waitFor(async () => (await status(t)).counters.stored >= 10_000, '10k stored');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await t.app.store.countTelemetry(), 10_000, 'one point per event: nothing lost, nothing twice');
      assert.equal((await t.app.store.listEntities({ kind: 'DEVICE', limit: 1 })).total, 10_000);
      assert.equal((await status(t)).state, 'RUNNING');
    } finally {
      await t.close();
    }
  });

  it('stores event metadata, device status as the connected attribute, and sends a command from a ThingsBoard encoder', async () => {
    const config = watsonConfig(watson, { appId: 'e2e-status', deviceStatus: true, events: [{ deviceType: 'sensor' }] });
    const t = await startTestApp({ yaml: appYaml(config, { decoder: DEVICE_ID_DECODER, encoder: true }) });
    try {
      const device = await watson.device('sensor', 'pump-1');
      const platform = await watson.platform();
      await device.subscribeAsync('iot-2/type/sensor/id/pump-1/cmd/+/fmt/+', { qos: 1 });
      const command = new Promise<{ topic: string; payload: string }>((resolve) => device.on('message', (topic, payload) => resolve({ topic, payload: payload.toString() })));
      await device.publishAsync(eventTopic('sensor', 'pump-1', 'flow', 'json'), JSON.stringify({ seq: 7 }), { qos: 1 });
      await platform.publishAsync('iot-2/type/sensor/id/pump-1/mon', statusPayload('Connect', '2024-05-01T10:00:00.000Z'), { qos: 1 });
      await waitFor(async () => (await t.api.call('GET', '/devices/pump-1/attributes')).status === 200 || null, 'device provisioned');
      const connected = async (): Promise<unknown> => (await t.api.get<Attribute[]>('/devices/pump-1/attributes')).find((a) => a.key === 'connected')?.value;
      await waitFor(async () => (await connected()) === true || null, 'connected = true');
      const latest = await t.api.get<Record<string, { value: unknown }>>('/devices/pump-1/telemetry/latest');
      assert.deepEqual({ seq: latest.seq?.value, event: latest.event?.value, format: latest.format?.value }, { seq: 7, event: 'flow', format: 'json' });

      await platform.publishAsync('iot-2/type/sensor/id/pump-1/mon', statusPayload('Disconnect', '2024-05-01T11:00:00.000Z'), { qos: 1 });
      await waitFor(async () => (await connected()) === false || null, 'connected = false');
      const attributes = await t.api.get<Attribute[]>('/devices/pump-1/attributes');
      assert.deepEqual(attributes.filter((a) => a.key.startsWith('last')).map((a) => [a.key, a.scope, a.value]).sort(), [
        ['lastConnectTime', 'client', Date.parse('2024-05-01T10:00:00.000Z')], ['lastDisconnectTime', 'client', Date.parse('2024-05-01T11:00:00.000Z')],
      ]);

      const queued = await t.api.call('POST', '/devices/pump-1/downlink', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { open: true } });
      assert.equal(queued.status, 202, queued.text);
      assert.deepEqual(await command, { topic: 'iot-2/type/sensor/id/pump-1/cmd/setValve/fmt/json', payload: JSON.stringify({ method: 'RPC_CALL_FROM_SERVER_TO_DEVICE', params: { open: true } }) });
      const id = (queued.body as { id: string }).id;
      await waitFor(async () => (await t.api.get<{ status: string }>(`/downlinks/${id}`)).status === 'sent' || null, 'downlink marked sent');
      assert.equal((await status(t)).counters.stored, 3, 'one event and two status messages');
      await Promise.all([device.endAsync(), platform.endAsync()]);
    } finally {
      await t.close();
    }
  });

  it('a wrong token makes the integration MISCONFIGURED with "regenerate the API key and token"; a wrong org is refused at save', async () => {
    const t = await startTestApp({ yaml: appYaml(watsonConfig(watson, { appId: 'e2e-token', authToken: 'not-the-token' })) });
    try {
      const s = await waitFor(async () => {
        const current = await status(t);
        return current.state === 'MISCONFIGURED' ? current : null;
      }, 'MISCONFIGURED');
      assert.equal(s.lastError?.code, 'AUTH_FAILED');
      assert.match(s.lastError?.message ?? '', new RegExp(`rejected API key "${watson.apiKey}" \\(CONNACK \\d, not authorized\\).*regenerate the API key and token`));
      assert.ok(!JSON.stringify(s).includes('not-the-token'), 'the token is never shown');

      const integration = (appConfig(watsonConfig(watson, { orgId: 'zzz999' })).integrations as Array<Record<string, unknown>>)[0];
      const refused = await t.api.call('POST', '/integrations', { ...integration, name: 'wrong-org', enabled: false });
      assert.equal(refused.status, 400, refused.text);
      const error = (refused.body as { error: { code: string; message: string; details: { field: string } } }).error;
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.equal(error.details.field, 'config.orgId');
      assert.match(error.message, /"zzz999" does not match the organization of apiKey \(a-tst123-…\)/);
      assert.ok(!refused.text.includes(watson.authToken));
    } finally {
      await t.close();
    }
  });
});

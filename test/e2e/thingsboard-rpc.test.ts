/**
 * RPC replies from the device (`rpcReply: from-device`) and attribute requests, Mosquitto →
 * Cloudbridge → the ThingsBoard double and back: the device's own answer (its uplink converter's
 * `rpcReply`) reaches ThingsBoard with the RPC's id, and nothing else is replied for it; an RPC
 * that cannot become a downlink (no downlink converter) is answered with the error; a converter's
 * `attributeRequest` is answered by ThingsBoard as an ATTRIBUTES_RESPONSE downlink.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../peers/thingsboard/index.ts';
import { convertersYaml, JSON_ENCODER } from './fixtures.ts';
import { startTestApp, waitFor, type TestApp } from './harness.ts';

const DECODER = `
function decodeToJson(p) { return JSON.parse(String.fromCharCode.apply(String, p)); }
var data = decodeToJson(payload);
var result = { deviceName: metadata.topic.split('/')[1], deviceType: 'valve', telemetry: { ts: data.ts, values: { seq: data.seq } } };
if (data.rpcId !== undefined) result.rpcReply = { id: data.rpcId, data: { result: data.result } };
if (data.ask) result.attributeRequest = { keys: ['interval'], id: 5 };
return result;
`;

function integration(name: string, port: number, filter: string, encoder: boolean): string {
  return `  - name: ${name}
    type: mqtt
    uplinkConverter: decoder
${encoder ? '    downlinkConverter: encoder\n' : ''}    allowCreateDevices: true
    config: { host: 127.0.0.1, port: ${port}, clientId: cb-${name}, topicFilters: [{ filter: "${filter}", qos: 1 }], downlinkTopicPattern: "commands/$\{deviceName}" }
`;
}

describe('RPC replies from the device and attribute requests through ThingsBoard', () => {
  let broker: MosquittoBroker;
  let tb: ThingsBoardDouble;
  let t: TestApp;
  let device: MqttClient;
  const commands: Array<{ topic: string; body: { method: string; params: Record<string, unknown> } }> = [];
  let ts = 1_700_000_000_000;
  const uplink = (name: string, body: Record<string, unknown>): Promise<unknown> =>
    device.publishAsync(`${name.startsWith('meter') ? 'meters' : 'valves'}/${name}`, JSON.stringify({ ts: ts++, seq: ts, ...body }), { qos: 1 });

  before(async () => {
    broker = await startMosquitto();
    tb = await startThingsBoardDouble();
    t = await startTestApp({
      yaml: `${convertersYaml(DECODER, JSON_ENCODER)}integrations:\n${integration('valves', broker.port, 'valves/+', true)}${integration('meters', broker.port, 'meters/+', false)}` +
        `forwarders:\n  - name: tb\n    type: thingsboard-gateway\n    integrations: [valves, meters]\n    config: { host: 127.0.0.1, port: ${tb.port}, accessToken: "${tb.gateway.token}", rpcReply: from-device }\n`,
    });
    device = await mqtt.connectAsync(broker.url, { clientId: 'valve-side' });
    await device.subscribeAsync('commands/#', { qos: 1 });
    device.on('message', (topic, payload) => commands.push({ topic, body: JSON.parse(payload.toString()) as { method: string; params: Record<string, unknown> } }));
    await uplink('valve-1', {});
    await uplink('meter-1', {});
    await tb.waitFor(() => tb.telemetry('valve-1').length > 0 && tb.telemetry('meter-1').length > 0, 20_000, 'both devices at ThingsBoard');
  });
  after(async () => {
    await device.endAsync(true);
    await t.close();
    await tb.dispose();
    await broker.dispose();
  });

  it('the device answers the RPC through its uplink converter; ThingsBoard gets that answer with the RPC id, and only it', async () => {
    const reply = tb.rpc('valve-1', 'getState', {}, { timeoutMs: 20_000 });
    const command = await waitFor(() => commands.find((c) => c.topic === 'commands/valve-1' && c.body.method === 'RPC_CALL_FROM_SERVER_TO_DEVICE'), 'the RPC at the device');
    const id = command.body.params.id as number;
    await uplink('valve-1', { rpcId: id, result: 'open' });
    const answer = await reply;
    assert.equal(answer.id, id);
    assert.deepEqual(answer.data, { result: 'open' });
    await waitFor(async () => (await t.api.get<{ status: { outbox: { depth: number } } }>('/forwarders/tb')).status.outbox.depth === 0, 'outbox empty');
    assert.equal(tb.rpcReplies().filter((r) => r.id === id).length, 1, 'no {success: true} of our own besides the device\'s answer');
  });

  it('an RPC that cannot become a downlink is answered with the error', async () => {
    const answer = await tb.rpc('meter-1', 'reset', {}, { timeoutMs: 20_000 });
    assert.equal((answer.data as { success: boolean }).success, false);
    assert.match(String((answer.data as { error: string }).error), /DOWNLINK_UNSUPPORTED/);
  });

  it('an attribute request of the converter is answered as an ATTRIBUTES_RESPONSE downlink', async () => {
    tb.setSharedAttributes('valve-1', { interval: 7 });
    await uplink('valve-1', { ask: true });
    const response = await waitFor(() => commands.find((c) => c.topic === 'commands/valve-1' && c.body.method === 'ATTRIBUTES_RESPONSE'), 'the response at the device');
    assert.deepEqual(response.body.params, { id: 5, value: 7 });
    assert.deepEqual(tb.attributeRequests().map((r) => ({ id: r.id, keys: r.keys, client: r.client })), [{ id: 5, keys: ['interval'], client: false }]);
  });
});

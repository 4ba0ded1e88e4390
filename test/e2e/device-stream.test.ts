/**
 * GET /stream/devices/{name}: one device's latest telemetry, attributes and downlinks as
 * server-sent events on a real Mosquitto integration, opened with a single-use ticket.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { SseReader } from '../support/sse.ts';
import { JSON_ENCODER, TB_DECODER, mqttIntegrationYaml } from './fixtures.ts';
import { startTestApp, waitFor, type TestApp } from './harness.ts';

type Latest = Record<string, { ts: number; value: unknown }>;
interface Downlink { id: string; msgType: string; status: string }

describe('device stream', () => {
  let broker: MosquittoBroker;
  let t: TestApp;
  let device: mqtt.MqttClient;
  const publish = (seq: number): Promise<unknown> =>
    device.publishAsync('dstream/pump-1/data', JSON.stringify({ seq, ts: 1_700_000_000_000 + seq, temperature: 20 + seq, model: 'P-1' }), { qos: 1 });
  before(async () => {
    broker = await startMosquitto();
    t = await startTestApp({ yaml: mqttIntegrationYaml({ port: broker.port, clientId: `cb-dstream-${process.pid}`, filter: 'dstream/+/data', decoder: TB_DECODER, encoder: JSON_ENCODER }) });
    device = await mqtt.connectAsync(broker.url);
    await publish(1);
    await waitFor(async () => (await t.api.call('GET', '/devices/pump-1')).status === 200, 'device provisioned');
  });
  after(async () => {
    await device.endAsync();
    await t.close();
    await broker.dispose();
  });

  const open = async (name: string): Promise<Response> => {
    const { ticket } = await t.api.post<{ ticket: string }>('/stream/tickets');
    return fetch(`${t.url}/api/v1/stream/devices/${encodeURIComponent(name)}?ticket=${encodeURIComponent(ticket)}`);
  };

  it('needs a ticket, and answers 404 for an unknown device', async () => {
    assert.equal((await fetch(`${t.url}/api/v1/stream/devices/pump-1`)).status, 401);
    assert.equal((await open('no-such-device')).status, 404);
  });

  it('sends the latest values, attributes and downlinks at once, then each change', async () => {
    const res = await open('pump-1');
    assert.equal(res.status, 200);
    const sse = new SseReader(res);
    const first = await sse.until((e) => (e.event === 'latest' ? (e.data as Latest) : null));
    assert.equal(first.seq?.value, 1);
    assert.equal(first.temperature?.value, 21);
    const attrs = await sse.until((e) => (e.event === 'attributes' ? (e.data as Array<{ key: string; scope: string; value: unknown }>) : null));
    assert.deepEqual(attrs.map((a) => [a.key, a.scope, a.value]), [['model', 'client', 'P-1']]);
    assert.deepEqual(await sse.until((e) => (e.event === 'downlinks' ? e.data as Downlink[] : null)), []);

    await publish(2);
    const next = await sse.until((e) => (e.event === 'latest' ? (e.data as Latest) : null));
    assert.equal(next.seq?.value, 2);
    assert.equal(next.seq?.ts, 1_700_000_000_002);

    const queued = await t.api.post<Downlink>('/devices/pump-1/downlink', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { speed: 3 } });
    const sent = await sse.until((e) => {
      const list = e.event === 'downlinks' ? (e.data as Downlink[]) : [];
      return list.find((d) => d.id === queued.id && d.status === 'sent');
    });
    assert.equal(sent.msgType, 'RPC_CALL_FROM_SERVER_TO_DEVICE');
    await sse.cancel();
  });
});

/**
 * End to end on real Mosquitto: broker → mqtt connector → pipeline → converter sandbox → SQLite,
 * with the PUBACK sent only after commit. Counts are read back as a user would (API, store).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startTestApp, TEST_TOKEN, waitFor } from './harness.ts';
import { DEVICE_TS_DECODER, JSON_ENCODER, TB_DECODER, mqttIntegrationYaml, publishSeq } from './fixtures.ts';

interface Page { total: number; items: Array<{ name: string }> }
interface Status { state: string; counters: { stored: number; deadLettered: number; duplicates: number } }
interface SharedStatus extends Status {
  details: { connected: boolean; connectedCount: number; sharedGroup: string | null; connections: Array<{ connection: number; clientId: string; connected: boolean; received: number }> };
}

describe('mqtt end to end', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(async () => { await broker.dispose(); });

  it('10k messages end to end give exactly 10k telemetry points', async () => {
    const t = await startTestApp({ yaml: mqttIntegrationYaml({ port: broker.port, clientId: 'cb-e2e-10k', filter: 'sensors/+/data', decoder: TB_DECODER }) });
    try {
      const pub = await publishSeq(broker.url, (i) => `sensors/thermo-${i % 20}/data`, 0, 10_000, { window: 500 });
      await pub.endAsync();
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).counters.stored >= 10_000, '10k stored');
      assert.equal(await t.app.store.countTelemetry(), 20_000, '10k messages × 2 keys (temperature, seq)');
      const devices = await t.api.get<Page>('/devices?limit=100');
      assert.equal(devices.total, 20);
      const series = await t.api.get<Record<string, Array<{ ts: number; value: number }>>>('/devices/thermo-7/telemetry?keys=seq&limit=1000');
      assert.equal(series.seq?.length, 500);
      assert.ok(series.seq?.every((p) => p.value % 20 === 7 && p.ts === 1_700_000_000_000 + p.value));
      const status = await t.api.get<Status>('/integrations/plant/status');
      assert.equal(status.state, 'RUNNING');
      assert.equal(status.counters.deadLettered, 0);
    } finally {
      await t.close();
    }
  });

  it('with connections 3, 6000 messages give exactly 6000 messages\' points, and the status and metrics show the 3 connections', async () => {
    const t = await startTestApp({ yaml: mqttIntegrationYaml({ port: broker.port, clientId: 'cb-e2e-shared', filter: 'shared/+/data', decoder: TB_DECODER, extra: '      connections: 3\n' }) });
    try {
      const pub = await publishSeq(broker.url, (i) => `shared/thermo-${i % 20}/data`, 0, 6000, { window: 500 });
      await pub.endAsync();
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).counters.stored >= 6000, '6000 stored');
      assert.equal(await t.app.store.countTelemetry(), 12_000, '6000 messages × 2 keys, none twice');
      const status = await t.api.get<SharedStatus>('/integrations/plant/status');
      assert.equal(status.state, 'RUNNING');
      assert.equal(status.counters.duplicates, 0);
      assert.equal(status.details.connected, true);
      assert.equal(status.details.connectedCount, 3);
      assert.equal(status.details.sharedGroup, 'cb-e2e-shared');
      assert.deepEqual(status.details.connections.map((c) => c.clientId), ['cb-e2e-shared', 'cb-e2e-shared-2', 'cb-e2e-shared-3']);
      assert.ok(status.details.connections.every((c) => c.received > 0), `each connection took a share: ${status.details.connections.map((c) => c.received).join(', ')}`);
      const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
      assert.match(metrics, /cloudbridge_source_connections\{integration="plant",type="mqtt"\} 3/);
      assert.match(metrics, /cloudbridge_source_connections_up\{integration="plant",type="mqtt"\} 3/);
      for (const c of status.details.connections) {
        assert.match(metrics, new RegExp(`cloudbridge_source_connection_received_total\\{integration="plant",type="mqtt",connection="${c.connection}",client_id="${c.clientId}"\\} [1-9]`));
      }
    } finally {
      await t.close();
    }
  });

  it('a broker restart mid-stream loses nothing and duplicates nothing', async () => {
    const t = await startTestApp({ yaml: mqttIntegrationYaml({ port: broker.port, clientId: 'cb-e2e-restart', filter: 'probes/+', decoder: DEVICE_TS_DECODER }) });
    try {
      const publishing = publishSeq(broker.url, (i) => `probes/${i}`, 0, 6000, { window: 50, delayEvery: 100, delayMs: 10, clientId: 'pub-restart' });
      await waitFor(async () => (await t.app.store.countTelemetry()) >= 1500, 'first messages stored');
      await broker.restart();
      const pub = await publishing;
      await pub.endAsync();
      await waitFor(async () => (await t.app.store.countTelemetry()) >= 6000, 'all 6000 stored', 90_000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await t.app.store.countTelemetry(), 6000, 'each message stored exactly once');
      assert.equal((await t.app.store.listEntities({ kind: 'DEVICE', limit: 1 })).total, 6000);
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).state === 'RUNNING', 'reconnected');
    } finally {
      await t.close();
    }
  });

  it('dead-letters a malformed payload with the parse error and replays it after the converter is fixed', async () => {
    const t = await startTestApp({ yaml: mqttIntegrationYaml({ port: broker.port, clientId: 'cb-e2e-dl', filter: 'dl/+/data', decoder: TB_DECODER }) });
    try {
      const client = await mqtt.connectAsync(broker.url);
      await client.publishAsync('dl/thermo-1/data', '{"seq": 1, "temperature": 21', { qos: 1 });
      await client.publishAsync('dl/thermo-1/data', JSON.stringify({ seq: 2, ts: 1_700_000_000_002, temperature: 22 }), { qos: 1 });
      await client.endAsync();
      const page = await waitFor(async () => {
        const p = await t.api.get<{ total: number; items: Array<{ id: string; stage: string; errorCode: string; error: string; payloadText: string }> }>('/dead-letters?integration=plant');
        return p.total === 1 ? p : null;
      }, 'a dead letter');
      const dl = page.items[0];
      assert.equal(dl?.stage, 'convert');
      assert.equal(dl?.errorCode, 'PAYLOAD_INVALID');
      assert.match(dl?.error ?? '', /JSON/);
      assert.equal(dl?.payloadText, '{"seq": 1, "temperature": 21');
      await waitFor(async () => (await t.app.store.countTelemetry()) === 2, 'the good message stored');
      const failedReplay = await t.api.post<{ ok: boolean; error: { code: string } }>(`/dead-letters/${dl?.id}/replay`);
      assert.equal(failedReplay.ok, false);
      assert.equal(failedReplay.error.code, 'PAYLOAD_INVALID');
      await t.api.call('PUT', '/converters/decoder', {
        name: 'decoder', type: 'uplink',
        script: "var text = String.fromCharCode.apply(String, payload); var data; try { data = JSON.parse(text); } catch (e) { data = JSON.parse(text + '}'); } return { deviceName: metadata.topic.split('/')[1], telemetry: { ts: 1700000000001, values: { temperature: data.temperature } } };",
      }).then((r) => assert.equal(r.status, 200, r.text));
      const replay = await t.api.post<{ ok: boolean; status: string }>(`/dead-letters/${dl?.id}/replay`);
      assert.deepEqual({ ok: replay.ok, status: replay.status }, { ok: true, status: 'stored' });
      const latest = await t.api.get<Record<string, Array<{ ts: number; value: number }>>>('/devices/thermo-1/telemetry?keys=temperature');
      assert.deepEqual(latest.temperature?.map((p) => p.value), [22, 21]);
      const again = await t.api.post<{ status: string }>(`/dead-letters/${dl?.id}/replay`);
      assert.equal(again.status, 'duplicate');
    } finally {
      await t.close();
    }
  });

  it('sends a downlink from the API through the encoder to an MQTT subscriber', async () => {
    const t = await startTestApp({ yaml: mqttIntegrationYaml({ port: broker.port, clientId: 'cb-e2e-down', filter: 'down/+/data', decoder: TB_DECODER, encoder: JSON_ENCODER }) });
    try {
      const device = await mqtt.connectAsync(broker.url);
      await device.subscribeAsync('commands/+', { qos: 1 });
      const received = new Promise<{ topic: string; payload: string }>((resolve) => device.on('message', (topic, payload) => resolve({ topic, payload: payload.toString() })));
      await device.publishAsync('down/valve-9/data', JSON.stringify({ seq: 1, ts: 1_700_000_000_000, temperature: 1 }), { qos: 1 });
      await waitFor(async () => (await t.api.call('GET', '/devices/valve-9')).status === 200, 'device provisioned');
      const queued = await t.api.call('POST', '/devices/valve-9/downlink', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { open: true } });
      assert.equal(queued.status, 202, queued.text);
      const msg = await received;
      assert.equal(msg.topic, 'commands/valve-9');
      assert.deepEqual(JSON.parse(msg.payload), { method: 'RPC_CALL_FROM_SERVER_TO_DEVICE', params: { open: true } });
      const id = (queued.body as { id: string }).id;
      await waitFor(async () => (await t.api.get<{ status: string }>(`/downlinks/${id}`)).status === 'sent', 'downlink marked sent');
      await device.endAsync();
    } finally {
      await t.close();
    }
  });
});

/**
 * Integrations as an operator sees them through the API: lifecycle events, status, metrics,
 * converter failures dead-lettered with their reason, downlink failures recorded, converter tests.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from './harness.ts';

interface Event { type: string; body: Record<string, unknown> }
interface DeadLetters { total: number; items: Array<{ stage: string; errorCode: string; error: string; payloadText: string }> }

const PICKY_DECODER = `
var data = decodeToJson(payload);
if (data.loop) { while (true) {} }
if (data.noName) return { telemetry: { t: data.t } };
return { deviceName: data.name, telemetry: { ts: data.ts, values: { t: data.t } } };
`;
const TOPIC_ENCODER = `return { contentType: 'TEXT', data: 'go', metadata: {} };`;

describe('integration lifecycle and failures through the API', () => {
  let broker: MosquittoBroker;
  let t: TestApp;
  before(async () => {
    broker = await startMosquitto();
    t = await startTestApp({ env: { CLOUDBRIDGE_MASTER_KEY: '' } });
    const conv = await t.api.call('POST', '/converters', { name: 'picky', type: 'uplink', script: PICKY_DECODER, limits: { timeoutMs: 200 } });
    assert.equal(conv.status, 201, conv.text);
    assert.equal((await t.api.call('POST', '/converters', { name: 'enc', type: 'downlink', script: TOPIC_ENCODER })).status, 201);
  });
  after(async () => {
    await t.close();
    await broker.dispose();
  });

  it('records STARTED, UPDATED, STOPPED and FAILED (with the reason) as events', async () => {
    const body = { name: 'life', type: 'mqtt', uplinkConverter: 'picky', config: { host: '127.0.0.1', port: broker.port, clientId: 'cb-life', topicFilters: [{ filter: 'life/#', qos: 1 }] } };
    assert.equal((await t.api.call('POST', '/integrations', body)).status, 201);
    assert.equal((await t.api.call('PUT', '/integrations/life', { ...body, metadata: { site: 'b7' } })).status, 200);
    assert.equal((await t.api.call('POST', '/integrations/life/disable')).status, 200);
    const closedPort = { ...body, enabled: true, config: { ...body.config, port: 1 } };
    assert.equal((await t.api.call('PUT', '/integrations/life', closedPort)).status, 200);
    const status = await t.api.get<{ state: string; lastError: { code: string; message: string } }>('/integrations/life/status');
    assert.equal(status.state, 'FAILED');
    assert.equal(status.lastError.code, 'CONNECTION_FAILED');
    const events = await t.api.get<Event[]>('/events?integration=life&type=LIFECYCLE');
    const seq = events.map((e) => `${String(e.body.event)}:${String(e.body.success)}`).reverse();
    assert.deepEqual(seq.slice(0, 3), ['STARTED:true', 'UPDATED:true', 'STOPPED:true']);
    const failed = events.find((e) => e.body.event === 'FAILED');
    assert.equal(failed?.body.errorCode, 'CONNECTION_FAILED');
    assert.match(String(failed?.body.error), /127\.0\.0\.1:1/);
    assert.equal((await t.api.call('DELETE', '/integrations/life')).status, 204);
  });

  it('keeps a connection error after the reconnect, marked resolved, and records it as an ERROR event', async () => {
    const own = await startMosquitto();
    try {
      const body = { name: 'flaky', type: 'mqtt', uplinkConverter: 'picky', config: { host: '127.0.0.1', port: own.port, clientId: 'cb-flaky', topicFilters: [{ filter: 'flaky/#', qos: 1 }], reconnect: { initialDelayMs: 100, maxDelayMs: 500 } } };
      assert.equal((await t.api.call('POST', '/integrations', body)).status, 201);
      type Status = { state: string; lastError: { code: string; message: string; at: number; resolvedAt: number | null } | null };
      await waitFor(async () => (await t.api.get<Status>('/integrations/flaky/status')).state === 'RUNNING', 'flaky running');
      await own.stop();
      const down = await waitFor(async () => {
        const s = await t.api.get<Status>('/integrations/flaky/status');
        return s.state === 'RECONNECTING' && s.lastError ? s : null;
      }, 'reconnecting with the error');
      assert.equal(down.lastError?.resolvedAt, null);
      await own.restart();
      const up = await waitFor(async () => {
        const s = await t.api.get<Status>('/integrations/flaky/status');
        return s.state === 'RUNNING' && s.lastError?.resolvedAt ? s : null;
      }, 'running with the error resolved');
      assert.equal(up.lastError?.code, down.lastError?.code);
      assert.ok((up.lastError?.resolvedAt ?? 0) >= (up.lastError?.at ?? Infinity));
      const errors = await t.api.get<Event[]>('/events?integration=flaky&type=ERROR');
      assert.ok(errors.some((e) => e.body.code === down.lastError?.code), 'the error is an ERROR event');
    } finally {
      await t.api.call('DELETE', '/integrations/flaky');
      await own.dispose();
    }
  });

  it('dead-letters a converter timeout and an output without deviceName, stores the rest, process unharmed', async () => {
    const body = { name: 'picky', type: 'mqtt', uplinkConverter: 'picky', debug: { failures: true, allMinutes: 5 }, config: { host: '127.0.0.1', port: broker.port, clientId: 'cb-picky', topicFilters: [{ filter: 'picky/#', qos: 1 }] } };
    assert.equal((await t.api.call('POST', '/integrations', body)).status, 201);
    const client = await mqtt.connectAsync(broker.url);
    await client.publishAsync('picky/1', JSON.stringify({ name: 'p1', ts: 1000, t: 1 }), { qos: 1 });
    await client.publishAsync('picky/2', JSON.stringify({ loop: true }), { qos: 1 });
    await client.publishAsync('picky/3', JSON.stringify({ noName: true, t: 3 }), { qos: 1 });
    await client.publishAsync('picky/4', JSON.stringify({ name: 'p1', ts: 4000, t: 4 }), { qos: 1 });
    await client.endAsync();
    const dls = await waitFor(async () => {
      const p = await t.api.get<DeadLetters>('/dead-letters?integration=picky');
      return p.total === 2 ? p : null;
    }, 'two dead letters');
    const byCode = new Map(dls.items.map((d) => [d.errorCode, d]));
    assert.equal(byCode.get('CONVERTER_TIMEOUT')?.payloadText, '{"loop":true}');
    assert.match(byCode.get('CONVERTER_OUTPUT')?.error ?? '', /deviceName/);
    assert.equal(byCode.get('CONVERTER_OUTPUT')?.stage, 'validate');
    const series = await waitFor(async () => {
      const s = await t.api.get<Record<string, Array<{ ts: number; value: number }>>>('/devices/p1/telemetry?keys=t&from=0&to=5000&limit=10');
      return s.t?.length === 2 ? s : null;
    }, 'the two good messages');
    assert.deepEqual(series.t, [{ ts: 4000, value: 4 }, { ts: 1000, value: 1 }]);
    const limited = await t.api.get<Record<string, unknown[]>>('/devices/p1/telemetry?keys=t&from=2000&to=5000');
    assert.equal(limited.t?.length, 1);
    const status = await t.api.get<{ counters: { received: number; stored: number; deadLettered: number } }>('/integrations/picky/status');
    assert.deepEqual({ r: status.counters.received, s: status.counters.stored, d: status.counters.deadLettered }, { r: 4, s: 2, d: 2 });
    const debug = await t.api.get<Event[]>('/events?integration=picky&type=DEBUG_UPLINK');
    assert.equal(debug.length, 4, 'debug-all records every message');
    assert.equal(debug.filter((e) => e.body.status === 'ERROR').length, 2);
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
    assert.match(metrics, /cloudbridge_messages_stored_total\{integration="picky",type="mqtt"\} 2/);
    assert.match(metrics, /cloudbridge_messages_dead_lettered_total\{integration="picky",type="mqtt"\} 2/);
    assert.match(metrics, /cloudbridge_ingest_latency_seconds_count\{integration="picky"\} 4/);
  });

  it('records a failed downlink with its error', async () => {
    const body = { name: 'down', type: 'mqtt', uplinkConverter: 'picky', downlinkConverter: 'enc', config: { host: '127.0.0.1', port: broker.port, clientId: 'cb-down', topicFilters: [{ filter: 'down/#', qos: 1 }], downlinkTopicPattern: 'cmd/${deviceId}' } };
    assert.equal((await t.api.call('POST', '/integrations', body)).status, 201);
    const r = await t.api.call('POST', '/devices/p1/downlink', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: {}, integration: 'down' });
    assert.equal(r.status, 202, r.text);
    const id = (r.body as { id: string }).id;
    const d = await waitFor(async () => {
      const x = await t.api.get<{ status: string; error: string }>(`/downlinks/${id}`);
      return x.status === 'failed' ? x : null;
    }, 'downlink failed');
    assert.match(d.error, /DOWNLINK_FAILED.*deviceId/);
    const noConverter = await t.api.call('POST', '/devices/p1/downlink', { msgType: 'X', integration: 'picky' });
    assert.equal(noConverter.status, 422);
  });

  it('tests a converter on a sample without side effects', async () => {
    const before = await t.api.get<{ total: number }>('/devices');
    const r = await t.api.post<{ output: unknown; records: unknown[]; error?: unknown }>('/converters/test', { script: PICKY_DECODER, payload: '{"name":"sample","ts":5,"t":42}' });
    assert.deepEqual(r.output, { deviceName: 'sample', telemetry: { ts: 5, values: { t: 42 } } });
    assert.equal(r.error, undefined);
    const bad = await t.api.post<{ error: { code: string; message: string } }>('/converters/test', { converter: 'picky', payload: '{"noName":true}' });
    assert.equal(bad.error.code, 'CONVERTER_OUTPUT');
    const down = await t.api.post<{ encoded: Array<{ dataText: string; contentType: string }> }>('/converters/test', { converter: 'enc', msg: { a: 1 } });
    assert.deepEqual(down.encoded.map((e) => [e.contentType, e.dataText]), [['TEXT', 'go']]);
    assert.equal((await t.api.get<{ total: number }>('/devices')).total, before.total);
  });

  it('keeps the generated master key in a file only its owner can read', () => {
    const mode = statSync(join(t.dir, 'master.key')).mode & 0o777;
    assert.equal(mode, 0o600);
  });
});

/**
 * End to end on real Mosquitto: no telemetry point vanishes silently (issue 7). Messages without
 * ts handled in the same millisecond all keep their point; a point with its own ts that replaces
 * another message's value shows in the status counters, the metrics and the debug event.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { parseConfigText } from '../../src/app/config-file.ts';
import { startTestApp, TEST_TOKEN, waitFor } from './harness.ts';
import { mqttIntegrationYaml } from './fixtures.ts';

interface Status { state: string; counters: { received: number; stored: number; deadLettered: number; duplicates: number; overwritten: number } }

/** `{id, seq}` → device `id` with telemetry `seq`, with the payload's `ts` when it has one. */
const DECODER = `
var d = decodeToJson(payload);
return { deviceName: d.id, telemetry: d.ts !== undefined ? { ts: d.ts, values: { seq: d.seq } } : { seq: d.seq } };
`;

describe('telemetry timestamps end to end (mqtt)', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(async () => { await broker.dispose(); });

  it('200 QoS 1 messages without ts for one device, published back to back, give 200 points', async () => {
    const t = await startTestApp({ yaml: mqttIntegrationYaml({ port: broker.port, clientId: 'cb-e2e-no-ts', filter: 'burst/#', decoder: DECODER }) });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).state === 'RUNNING', 'running');
      const client = await mqtt.connectAsync(broker.url, { clientId: `pub-burst-${process.pid}` });
      await Promise.all(Array.from({ length: 200 }, (_, seq) => client.publishAsync('burst/b', JSON.stringify({ id: 'b', seq }), { qos: 1 })));
      await client.endAsync();
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).counters.stored >= 200, '200 stored');
      const series = await t.api.get<Record<string, Array<{ ts: number; value: number }>>>('/devices/b/telemetry?keys=seq&limit=1000');
      const points = series.seq ?? [];
      assert.equal(points.length, 200, 'one point per message');
      assert.deepEqual(points.map((p) => p.value).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
      assert.equal(new Set(points.map((p) => p.ts)).size, 200, 'no two messages share a timestamp');
      const { counters } = await t.api.get<Status>('/integrations/plant/status');
      assert.deepEqual(counters, { received: 200, stored: 200, deadLettered: 0, duplicates: 0, overwritten: 0, errors: 0 });
    } finally {
      await t.close();
    }
  });

  it('a message whose explicit ts replaces an earlier message\'s value is counted as overwritten (status, metrics, debug event)', async () => {
    const t = await startTestApp({
      yaml: mqttIntegrationYaml({
        port: broker.port, clientId: 'cb-e2e-overwrite', filter: 'ow/#', decoder: DECODER,
        extra: '    debug: { failures: true, allMinutes: 15 }',
      }),
    });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).state === 'RUNNING', 'running');
      const client = await mqtt.connectAsync(broker.url, { clientId: `pub-ow-${process.pid}` });
      const ts = 1_700_000_000_000;
      await client.publishAsync('ow/c', JSON.stringify({ id: 'c', ts, seq: 1 }), { qos: 1 });
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).counters.stored === 1, 'the first stored');
      await client.publishAsync('ow/c', JSON.stringify({ id: 'c', ts, seq: 2 }), { qos: 1 });
      await client.publishAsync('ow/c', JSON.stringify({ id: 'c', ts, seq: 2 }), { qos: 1 });
      await client.endAsync();
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).counters.stored === 3, 'all three stored');

      const status = await t.api.get<Status>('/integrations/plant/status');
      assert.equal(status.counters.overwritten, 1, 'seq 1 → 2 is an overwrite; 2 → 2 (the same value again) is not');
      assert.equal(status.counters.duplicates, 0);
      const series = await t.api.get<Record<string, Array<{ ts: number; value: number }>>>('/devices/c/telemetry?keys=seq');
      assert.deepEqual(series.seq, [{ ts, value: 2 }]);
      const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
      assert.match(metrics, /^cloudbridge_points_overwritten_total\{integration="plant",type="mqtt"\} 1$/m);
      const events = await t.api.get<Array<{ body: { in?: string; overwritten?: number } }>>('/events?integration=plant&type=DEBUG_UPLINK');
      assert.deepEqual(events.map((e) => e.body.overwritten).reverse(), [undefined, 1, undefined], 'the debug event of the second message shows it');
    } finally {
      await t.close();
    }
  });

  it('ingest.maxFutureTsMs from the config file: a ts further ahead is dead-lettered with the reason, also in a converter test', async () => {
    assert.throws(() => parseConfigText('ingest: { maxFutureTsMs: -1 }', {}), /ingest\.maxFutureTsMs/);
    const yaml = `ingest: { maxFutureTsMs: 60000 }\n${mqttIntegrationYaml({ port: broker.port, clientId: 'cb-e2e-future', filter: 'future/#', decoder: DECODER })}`;
    const t = await startTestApp({ yaml });
    try {
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).state === 'RUNNING', 'running');
      const client = await mqtt.connectAsync(broker.url, { clientId: `pub-future-${process.pid}` });
      const now = Date.now();
      await client.publishAsync('future/d', JSON.stringify({ id: 'd', ts: now + 30_000, seq: 1 }), { qos: 1 });
      await client.publishAsync('future/d', JSON.stringify({ id: 'd', ts: now + 3_600_000, seq: 2 }), { qos: 1 });
      await client.endAsync();
      const page = await waitFor(async () => {
        const p = await t.api.get<{ total: number; items: Array<{ stage: string; errorCode: string; error: string }> }>('/dead-letters?integration=plant');
        return p.total === 1 ? p : null;
      }, 'the dead letter');
      assert.equal(page.items[0]?.stage, 'validate');
      assert.equal(page.items[0]?.errorCode, 'CONVERTER_OUTPUT');
      assert.match(page.items[0]?.error ?? '', /^result\.telemetry\.ts: \d+ \(.+\) is more than 60 s in the future; .*ingest\.maxFutureTsMs/);
      await waitFor(async () => (await t.api.get<Status>('/integrations/plant/status')).counters.stored === 1, 'the other one stored');
      const test = await t.api.post<{ error?: { code: string; message: string; stage: string } }>('/converters/test', {
        converter: 'decoder', payload: JSON.stringify({ id: 'd', ts: Date.now() + 3_600_000, seq: 3 }),
      });
      assert.equal(test.error?.stage, 'validate');
      assert.match(test.error?.message ?? '', /is more than 60 s in the future/);
    } finally {
      await t.close();
    }
  });
});

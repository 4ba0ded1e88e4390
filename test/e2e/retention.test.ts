/**
 * Retention end to end on real Mosquitto and SQLite: with a global retention and an
 * integration's own shorter one, housekeeping deletes that integration's old points and keeps
 * its new ones, the other integration's points (global retention) and the latest values; the
 * store size, the oldest row and the pruned rows are in /metrics; a reload applies a changed global
 * retention.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { parseConfigText } from '../../src/app/config-file.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startTestApp, TEST_TOKEN, waitFor } from './harness.ts';
import { mqttIntegrationYaml } from './fixtures.ts';

const DAY = 86_400_000;
const DECODER = `
var d = decodeToJson(payload);
return { deviceName: d.id, telemetry: { ts: d.ts, values: { t: d.t } } };
`;

interface Status { state: string; counters: { stored: number } }
type Series = Record<string, Array<{ ts: number; value: number }>>;

describe('retention end to end (mqtt, sqlite)', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(async () => { await broker.dispose(); });

  it('prunes old telemetry of an integration with its own retention, keeps new points, the global retention\'s and the latest values', async () => {
    const yaml = `${mqttIntegrationYaml({
      port: broker.port, clientId: 'cb-e2e-retention', filter: 'ret/#', decoder: DECODER,
      extra: '    retention: { telemetry: 1d }',
    })}
  - name: archive
    type: mqtt
    uplinkConverter: decoder
    config:
      host: 127.0.0.1
      port: ${broker.port}
      clientId: cb-e2e-retention-archive
      topicFilters: [{ filter: "arch/#", qos: 1 }]
retention: { telemetry: 30d, events: 7d, deadLetters: 30d, downlinks: forever }
`;
    const t = await startTestApp({ yaml, app: { housekeepingMs: 200 } });
    try {
      for (const name of ['plant', 'archive']) {
        await waitFor(async () => (await t.api.get<Status>(`/integrations/${name}/status`)).state === 'RUNNING', `${name} running`);
      }
      const plant = await t.api.get<{ retention?: unknown }>('/integrations/plant');
      assert.deepEqual(plant.retention, { telemetry: '1d' });

      const now = Date.now();
      const client = await mqtt.connectAsync(broker.url, { clientId: `pub-ret-${process.pid}` });
      await client.publishAsync('ret/a', JSON.stringify({ id: 'dev-old', ts: now - 2 * DAY, t: 1 }), { qos: 1 });
      await client.publishAsync('ret/b', JSON.stringify({ id: 'dev-mixed', ts: now - 3 * DAY, t: 2 }), { qos: 1 });
      await client.publishAsync('ret/b', JSON.stringify({ id: 'dev-mixed', ts: now, t: 3 }), { qos: 1 });
      await client.publishAsync('arch/c', JSON.stringify({ id: 'dev-archive', ts: now - 2 * DAY, t: 4 }), { qos: 1 });
      await client.endAsync();

      // Housekeeping runs every 200 ms: the points may go as soon as they are stored.
      // Waiting for exactly [3]: one point alone may also be the old one, read before the new one was stored.
      await waitFor(async () => (await t.api.get<Series>('/devices/dev-mixed/telemetry?keys=t&limit=10')).t?.map((p) => p.value).join() === '3', 'the old point of dev-mixed pruned, the new one kept');
      await waitFor(async () => (await t.api.get<Series>('/devices/dev-old/telemetry?keys=t&limit=10')).t === undefined, 'dev-old\'s point pruned');
      const latest = await t.api.get<Record<string, { ts: number; value: number }>>('/devices/dev-old/telemetry/latest');
      assert.deepEqual(latest.t, { ts: now - 2 * DAY, value: 1 }, 'the latest value stays');
      assert.deepEqual((await t.api.get<Series>('/devices/dev-archive/telemetry?keys=t&limit=10')).t, [{ ts: now - 2 * DAY, value: 4 }]);

      const metrics = await waitFor(async () => {
        const text = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
        return /cloudbridge_retention_pruned_rows_total\{kind="telemetry"\} 2\b/.test(text) ? text : null;
      }, 'two pruned points in /metrics');
      const size = /^cloudbridge_store_size_bytes (\d+)/m.exec(metrics);
      assert.ok(size && Number(size[1]) > 0, 'store size in /metrics');
      assert.match(metrics, /cloudbridge_retention_pruned_rows_total\{kind="downlinks"\} 0\b/);
      const oldest = /cloudbridge_retention_oldest_row_timestamp_seconds\{kind="telemetry"\} ([\d.e+]+)/.exec(metrics);
      assert.ok(oldest, 'oldest telemetry row in /metrics');
      assert.ok(Number(oldest[1]) <= (now - 2 * DAY) / 1000 + 60, `oldest kept point ${oldest[1]} is the archive's two-day-old one (or older, read before the prune)`);

      // Through the API: a bad duration is refused naming the field; a good one is saved and returned.
      const body = await t.api.get<Record<string, unknown>>('/integrations/plant');
      const bad = await t.api.call('PUT', '/integrations/plant', { ...body, retention: { telemetry: '3 days' } });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /retention\.telemetry: expected a duration such as 90d/);
      const good = await t.api.call('PUT', '/integrations/plant', { ...body, retention: { telemetry: '3d', events: 'forever' } });
      assert.equal(good.status, 200, good.text);
      assert.deepEqual((await t.api.get<{ retention?: unknown }>('/integrations/plant')).retention, { telemetry: '3d', events: 'forever' });

      // A reload applies a changed global retention: the archive's two-day-old point goes.
      await t.app.applyConfig(parseConfigText(yaml.replace('telemetry: 30d', 'telemetry: 1d'), process.env));
      await waitFor(async () => (await t.api.get<Series>('/devices/dev-archive/telemetry?keys=t&limit=10')).t === undefined, 'the archive\'s point pruned after the reload');
    } finally {
      await t.close();
    }
  });
});

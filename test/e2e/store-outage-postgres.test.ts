/**
 * PostgreSQL going away under a running instance (a TCP proxy between them is cut): /ready says
 * why it is not ready; integration list, status, recent events and /metrics keep answering from
 * memory with the admin token and with a viewer token created by `cloudbridge token create`;
 * after the database is back, everything is stored exactly once and lastError is resolved.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { startApp, type App } from '../../src/app/app.ts';
import { parseConfigText } from '../../src/app/config-file.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { TEST_MASTER_KEY, TEST_TOKEN, waitFor } from './harness.ts';
import { TB_DECODER, mqttIntegrationYaml, publishSeq } from './fixtures.ts';

const SERVER = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;

interface Status { state: string; lastError: { code: string; message: string; at: number; resolvedAt: number | null } | null }
interface EventItem { type: string; source?: string; body: Record<string, unknown> }

describe('PostgreSQL outage', () => {
  const admin = new pg.Pool({ connectionString: SERVER, max: 1 });
  const schema = `cb_outage_${randomBytes(4).toString('hex')}`;
  let broker: MosquittoBroker;
  let proxy: TcpProxy;
  let dir: string;
  let app: App | null = null;
  let publisher: MqttClient | null = null;
  before(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    broker = await startMosquitto();
    const target = new URL(SERVER);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    dir = mkdtempSync(join(tmpdir(), 'cb-pg-outage-'));
  });
  after(async () => {
    publisher?.end(true);
    proxy.restore();
    await app?.close();
    await proxy.close();
    await broker.dispose();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps status, events and metrics readable while the database is down, and resolves lastError after', async () => {
    const server = new URL(SERVER);
    server.port = String(proxy.port);
    server.search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY };
    const storeYaml = `store: { postgres: { url: "${server.href}" } }\n`;
    const yaml = `${storeYaml}server: { port: 0, host: 127.0.0.1 }\nlogging: { level: warn }\n${mqttIntegrationYaml({
      port: broker.port, clientId: 'cb-pg-outage', filter: 'pgo/+/data', decoder: TB_DECODER,
      extra: '      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 }\n',
    })}`;
    app = await startApp({ config: parseConfigText(yaml, env), env, logWrite: () => undefined, storeProbeAfterQuietMs: 500 });
    const started = app;
    const call = async (path: string, token = TEST_TOKEN): Promise<{ status: number; source: string | null; body: unknown }> => {
      const res = await fetch(`${started.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* metrics */ }
      return { status: res.status, source: res.headers.get('x-cloudbridge-source'), body };
    };
    const ready = async (): Promise<{ status: number; body: { ready: boolean; reason?: string; store: { reachable: boolean; failure: { code: string; message: string; integration: string | null } | null } } }> => {
      const res = await fetch(`${started.url}/ready`);
      return { status: res.status, body: await res.json() as never };
    };

    const first = await publishSeq(broker.url, (i) => `pgo/dev-${i % 4}/data`, 0, 100);
    await first.endAsync();
    await waitFor(async () => (await started.store.countTelemetry()) === 200, 'the first 100 messages stored');
    assert.equal((await ready()).status, 200);

    // A viewer token made by the CLI against the same database, accepted without a restart.
    const file = join(dir, 'cli.yaml');
    writeFileSync(file, storeYaml);
    // Asynchronously: the proxy runs in this process.
    const created = await promisify(execFile)(process.execPath, [BIN, 'token', 'create', '--name', 'grafana', '--role', 'viewer', '--config', file], { encoding: 'utf8', timeout: 60_000 });
    const viewer = created.stdout.trim();
    assert.match(viewer, /^cb_/);
    assert.equal((await call('/api/v1/integrations', viewer)).status, 200);

    proxy.cut();
    publisher = await mqtt.connectAsync(broker.url, { clientId: `pgo-pub-${process.pid}` });
    const client = publisher;
    const publishes: Array<Promise<unknown>> = [];
    for (let i = 100; i < 300; i++) {
      publishes.push(client.publishAsync(`pgo/dev-${i % 4}/data`, JSON.stringify({ seq: i, ts: 1_700_000_000_000 + i, temperature: 21, model: 'TH-1' }), { qos: 1 }));
    }
    const down = await waitFor(async () => {
      const r = await ready();
      return r.status === 503 && r.body.store.failure ? r.body : null;
    }, '/ready 503 with the failure');
    assert.equal(down.ready, false);
    assert.equal(down.store.reachable, false);
    assert.equal(down.store.failure?.code, 'STORE_UNAVAILABLE');
    assert.match(down.store.failure?.message ?? '', /PostgreSQL|Connection terminated/);
    assert.match(down.reason ?? '', /commits fail since/);

    const paused = await waitFor(async () => {
      const s = await call('/api/v1/integrations/plant/status');
      return s.status === 200 && (s.body as Status).lastError?.code === 'STORE_UNAVAILABLE' ? s.body as Status : null;
    }, 'the status with the store error');
    assert.notEqual(paused.state, 'RUNNING', 'never RUNNING with an unresolved store error');
    assert.equal(paused.lastError?.resolvedAt, null);

    // An unknown token can be neither accepted nor refused without the store (once the token
    // list's once-a-second reload has found the store down).
    const unknown = await waitFor(async () => {
      const r = await call('/api/v1/integrations', 'cb_not_a_token');
      return r.status === 503 ? r : null;
    }, 'an unknown token answered 503');
    assert.match(JSON.stringify(unknown.body), /cannot check this token while the store is unavailable/);
    for (const token of [TEST_TOKEN, viewer]) {
      const list = await call('/api/v1/integrations', token);
      assert.equal(list.status, 200, `GET /integrations while down: ${JSON.stringify(list.body)}`);
      assert.equal(list.source, 'memory');
      const items = list.body as Array<{ name: string; source: string; config: { clientId: string }; status: Status }>;
      assert.deepEqual(items.map((i) => [i.name, i.source, i.config.clientId]), [['plant', 'memory', 'cb-pg-outage']]);
      assert.equal(items[0]?.status.lastError?.code, 'STORE_UNAVAILABLE');
      const one = await call('/api/v1/integrations/plant', token);
      assert.equal(one.status, 200);
      assert.equal(one.source, 'memory');
      assert.equal((await call('/api/v1/integrations/plant/status', token)).status, 200);

      const events = await call('/api/v1/events?integration=plant', token);
      assert.equal(events.status, 200, `GET /events while down: ${JSON.stringify(events.body)}`);
      assert.equal(events.source, 'memory');
      const list2 = events.body as EventItem[];
      assert.ok(list2.every((e) => e.source === 'memory'));
      assert.ok(list2.some((e) => e.type === 'ERROR' && e.body.code === 'STORE_UNAVAILABLE'), 'the store error is an event');
      assert.ok(list2.some((e) => e.type === 'LIFECYCLE' && e.body.event === 'STARTED'), 'and the start before it');

      const metrics = await call('/metrics', token);
      assert.equal(metrics.status, 200);
      assert.match(String(metrics.body), /^cloudbridge_store_writable 0$/m);
      assert.match(String(metrics.body), /^cloudbridge_messages_stored_total\{integration="plant",type="mqtt"\} 100$/m);
    }

    proxy.restore();
    await waitFor(async () => (await ready()).status === 200, '/ready 200 once the database is back', 120_000);
    await Promise.all(publishes);
    await client.endAsync();
    await waitFor(async () => (await started.store.countTelemetry()) >= 600, 'all 300 messages stored', 120_000);
    assert.equal(await started.store.countTelemetry(), 600, 'every message stored exactly once');
    const recovered = await waitFor(async () => {
      const s = (await call('/api/v1/integrations/plant/status')).body as Status;
      return s.state === 'RUNNING' && s.lastError?.resolvedAt ? s : null;
    }, 'RUNNING with the store error resolved');
    assert.equal(recovered.lastError?.code, 'STORE_UNAVAILABLE');
    const list = await call('/api/v1/integrations');
    assert.equal(list.source, null, 'from the store again');
    // The token list reloads at most once a second, then the unknown token is refused as usual.
    await waitFor(async () => (await call('/api/v1/integrations', 'cb_not_a_token')).status === 401, 'an unknown token refused again');
  });
});

/**
 * Store outages on SQLite as an operator sees them, on real file systems (needs root to mount;
 * skipped with the reason otherwise): a full disk and a file system the kernel turned read-only.
 * /ready answers 503 with the reason while commits fail, and ready again once a commit succeeds;
 * the integration shows PAUSED (never RUNNING) with an unresolved STORE_UNAVAILABLE, resolved
 * after recovery; nothing acknowledged is lost.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { mountBreakableDisk, mountSmallDisk } from '../support/filesystems.ts';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from './harness.ts';
import { TB_DECODER, mqttIntegrationYaml, publishSeq } from './fixtures.ts';

interface Ready {
  status: string;
  ready: boolean;
  reason?: string;
  store: {
    reachable: boolean; writable: boolean;
    failure: { code: string; message: string; integration: string | null; since: number; lastAt: number } | null;
    disk?: { freeBytes: number; sizeBytes: number; warnBelowBytes: number; low: boolean };
    wal?: { bytes: number; boundBytes: number };
  };
  warnings: string[];
}
interface Status { state: string; since: number; lastError: { code: string; message: string; at: number; resolvedAt: number | null } | null }

async function ready(t: TestApp): Promise<{ status: number; body: Ready }> {
  const res = await fetch(`${t.url}/ready`);
  return { status: res.status, body: await res.json() as Ready };
}

/** Publishes `{seq}` QoS 1 messages without waiting for anything: the broker keeps them for Cloudbridge's session. */
async function publishInBackground(url: string, topic: (i: number) => string, from: number, to: number): Promise<{ done: Promise<unknown>; client: MqttClient }> {
  const client = await mqtt.connectAsync(url, { clientId: `pub-bg-${process.pid}-${from}`, reconnectPeriod: 200 });
  const pending: Array<Promise<unknown>> = [];
  for (let i = from; i < to; i++) {
    pending.push(client.publishAsync(topic(i), JSON.stringify({ seq: i, ts: 1_700_000_000_000 + i, temperature: 20, model: 'TH-1' }), { qos: 1 }));
  }
  return { done: Promise.all(pending).then(() => client.endAsync()), client };
}

const FAST_RECONNECT = '      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 }\n';

describe('SQLite store outages', () => {
  let broker: MosquittoBroker;
  const cleanups: Array<() => Promise<void> | void> = [];
  before(async () => {
    broker = await startMosquitto();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  after(async () => {
    await broker.dispose();
  });

  it('full disk: not ready with the reason while commits fail, low disk said before, ready again with nothing lost once space is freed', async (t) => {
    const disk = mountSmallDisk(8 * 1024 * 1024);
    if (typeof disk === 'string') return t.skip(disk);
    cleanups.push(() => disk.dispose());
    const yaml = `store: { sqlite: { diskFreeWarning: "99%" } }\n${mqttIntegrationYaml({ port: broker.port, clientId: 'cb-full', filter: 'full/+/data', decoder: TB_DECODER, extra: FAST_RECONNECT })}`;
    const app = await startTestApp({ dir: disk.dir, yaml });
    cleanups.push(() => app.close());

    const first = await publishSeq(broker.url, (i) => `full/dev-${i % 5}/data`, 0, 200);
    await first.endAsync();
    await waitFor(async () => (await app.app.store.countTelemetry()) === 400, 'the first 200 messages stored');

    // Below the free-space threshold but commits work: still ready, with a low-disk warning.
    const low = await ready(app);
    assert.equal(low.status, 200);
    assert.equal(low.body.status, 'ready');
    assert.equal(low.body.store.disk?.low, true);
    assert.match(low.body.warnings.join('\n'), /low disk: .* free \(warning below/);
    const metrics = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
    const free = /^cloudbridge_store_disk_free_bytes (\d+)$/m.exec(metrics);
    assert.ok(free && Number(free[1]) > 0 && Number(free[1]) < 8 * 1024 * 1024, 'the free bytes of the small disk are a metric');
    assert.match(metrics, /^cloudbridge_store_writable 1$/m);
    const warningEvents = await app.api.get<Array<{ integrationId: string | null; body: { code: string } }>>('/events?type=WARNING');
    assert.ok(warningEvents.some((e) => e.body.code === 'STORE_DISK_LOW' && e.integrationId === null), 'a STORE_DISK_LOW warning event');
    assert.equal(app.logs.filter((l) => l.includes('STORE_DISK_LOW')).length, 1, 'warned once, not at every check');

    disk.fill();
    const rest = await publishInBackground(broker.url, (i) => `full/dev-${i % 5}/data`, 200, 600);
    cleanups.push(() => { rest.client.end(true); });
    const down = await waitFor(async () => {
      const r = await ready(app);
      return r.status === 503 ? r.body : null;
    }, '/ready 503 while the disk is full', 120_000);
    assert.equal(down.status, 'not ready');
    assert.equal(down.store.writable, false);
    assert.equal(down.store.failure?.code, 'STORE_UNAVAILABLE');
    assert.match(down.store.failure?.message ?? '', /database or disk is full/);
    assert.equal(down.store.failure?.integration, 'plant');
    assert.ok((down.store.failure?.since ?? 0) > 0 && (down.store.failure?.since ?? 0) <= (down.store.failure?.lastAt ?? 0));
    assert.match(down.reason ?? '', /commits fail since .*database or disk is full \(integration "plant"\)/);

    const paused = await app.api.get<Status>('/integrations/plant/status');
    assert.equal(paused.state, 'PAUSED', 'never RUNNING while its commits fail');
    assert.equal(paused.lastError?.code, 'STORE_UNAVAILABLE');
    assert.equal(paused.lastError?.resolvedAt, null);

    disk.free();
    await waitFor(async () => (await ready(app)).status === 200, '/ready 200 once space is freed', 120_000);
    await rest.done;
    await waitFor(async () => (await app.app.store.countTelemetry()) >= 1200, 'all 600 messages stored', 120_000);
    assert.equal(await app.app.store.countTelemetry(), 1200, 'every message stored exactly once');
    const recovered = await waitFor(async () => {
      const s = await app.api.get<Status>('/integrations/plant/status');
      return s.state === 'RUNNING' ? s : null;
    }, 'RUNNING again');
    assert.equal(recovered.lastError?.code, 'STORE_UNAVAILABLE', 'the last error is kept for the operator');
    assert.ok(recovered.lastError?.resolvedAt && recovered.lastError.resolvedAt >= recovered.lastError.at, 'and marked resolved');
    const after = await ready(app);
    assert.equal(after.body.store.failure, null);
  });

  it('read-only file system: the write probe makes an idle instance unready with the reason', async (t) => {
    const disk = mountBreakableDisk(16);
    if (typeof disk === 'string') return t.skip(disk);
    cleanups.push(() => disk.dispose());
    const yaml = mqttIntegrationYaml({ port: broker.port, clientId: 'cb-ro', filter: 'ro/+/data', decoder: TB_DECODER, extra: FAST_RECONNECT });
    const app = await startTestApp({ dir: disk.dir, yaml, app: { storeProbeAfterQuietMs: 300 } });
    cleanups.push(() => app.close());
    const first = await publishSeq(broker.url, (i) => `ro/dev-${i % 5}/data`, 0, 50);
    await first.endAsync();
    await waitFor(async () => (await app.app.store.countTelemetry()) === 100, 'the first 50 messages stored');
    assert.equal((await ready(app)).status, 200);

    disk.makeReadOnly();
    // No traffic: the write probe finds out.
    const idle = await waitFor(async () => {
      const r = await ready(app);
      return r.status === 503 ? r.body : null;
    }, '/ready 503 on a read-only file system');
    assert.equal(idle.store.failure?.integration, null, 'seen by the write probe');
    assert.match(idle.store.failure?.message ?? '', /read-only/);
    assert.match(idle.reason ?? '', /read-only .*\(write probe\)/);

    // With traffic, the integration's commits fail and it says so.
    const rest = await publishInBackground(broker.url, (i) => `ro/dev-${i % 5}/data`, 50, 60);
    cleanups.push(() => { rest.client.end(true); });
    await rest.done;
    const paused = await waitFor(async () => {
      const s = await app.api.get<Status>('/integrations/plant/status');
      return s.state === 'PAUSED' ? s : null;
    }, 'PAUSED');
    assert.equal(paused.lastError?.code, 'STORE_UNAVAILABLE');
    assert.match(paused.lastError?.message ?? '', /read-only/);
    const down = await ready(app);
    assert.equal(down.status, 503);
    assert.equal(down.body.store.failure?.integration, 'plant');
    assert.equal(await app.app.store.countTelemetry(), 100, 'reads still work');
  });
});

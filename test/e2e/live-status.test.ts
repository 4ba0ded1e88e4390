/**
 * The web UI's API: GET /session (the token's role), stream tickets, the live integrations stream
 * (server-sent events) on a real Mosquitto integration, and /ui/ serving (built or not).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import mqtt from 'mqtt';
import { hashToken } from '../../src/app/auth.ts';
import { uiRoutes } from '../../src/api/routes/ui.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { SseReader } from '../support/sse.ts';
import { apiClient, startTestApp, type TestApp } from './harness.ts';

const VIEWER = 'cb_test_viewer_token_0123456789';
interface Live { id: string; name: string; status: { state: string; counters: { received: number; stored: number } } }

describe('live status stream', () => {
  let broker: MosquittoBroker;
  let t: TestApp;
  before(async () => {
    broker = await startMosquitto();
    t = await startTestApp();
    await t.app.store.addToken({ id: 'viewer-1', name: 'viewer', role: 'viewer', hash: hashToken(VIEWER), createdAt: Date.now() });
    await t.api.post('/converters', { name: 'dec', type: 'uplink', script: 'var d = decodeToJson(payload); return { deviceName: d.device, deviceType: "probe", telemetry: { v: d.v } };' });
  });
  after(async () => {
    await t.close();
    await broker.dispose();
  });

  const openStream = async (token?: string): Promise<SseReader> => {
    const { ticket } = await apiClient(`${t.url}/api/v1`, token).post<{ ticket: string }>('/stream/tickets');
    const res = await fetch(`${t.url}/api/v1/stream/integrations?ticket=${encodeURIComponent(ticket)}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    return new SseReader(res);
  };

  it('GET /session answers the role of the token; without a token 401', async () => {
    assert.deepEqual(await t.api.get('/session'), { role: 'admin' });
    assert.deepEqual(await apiClient(`${t.url}/api/v1`, VIEWER).get('/session'), { role: 'viewer' });
    assert.equal((await t.api.call('GET', '/session', undefined, null)).status, 401);
  });

  it('the stream needs a ticket, and a ticket opens one stream only', async () => {
    assert.equal((await fetch(`${t.url}/api/v1/stream/integrations`)).status, 401);
    assert.equal((await fetch(`${t.url}/api/v1/stream/integrations?ticket=made-up`)).status, 401);
    assert.equal((await t.api.call('POST', '/stream/tickets', {}, null)).status, 401, 'no ticket without a token');
    const { ticket } = await t.api.post<{ ticket: string; expiresAt: number }>('/stream/tickets');
    const first = await fetch(`${t.url}/api/v1/stream/integrations?ticket=${ticket}`);
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const second = await fetch(`${t.url}/api/v1/stream/integrations?ticket=${ticket}`);
    assert.equal(second.status, 401);
    assert.match(await second.text(), /missing, used or expired stream ticket/);
  });

  it('a viewer may open the stream but still cannot change anything', async () => {
    const stream = await openStream(VIEWER);
    assert.equal((await stream.next()).event, 'snapshot');
    await stream.cancel();
    const viewer = apiClient(`${t.url}/api/v1`, VIEWER);
    assert.equal((await viewer.call('POST', '/integrations', { name: 'v', type: 'mqtt', uplinkConverter: 'dec', config: { host: '127.0.0.1', topicFilters: [{ filter: 'v/#' }] } })).status, 403);
  });

  it('pushes a new integration, its counters as messages arrive, and its removal', async () => {
    const stream = await openStream();
    const snapshot = await stream.next();
    assert.equal(snapshot.event, 'snapshot');
    const topic = `ui-live-${process.pid}`;
    const created = await t.api.post<{ id: string }>('/integrations', {
      name: 'live', type: 'mqtt', uplinkConverter: 'dec', config: { host: '127.0.0.1', port: broker.port, clientId: `cb-${topic}`, topicFilters: [{ filter: `${topic}/#` }] },
    });
    await stream.until((e) => e.event === 'status' && (e.data as Live).id === created.id && (e.data as Live).status.state === 'RUNNING');
    const pub = await mqtt.connectAsync(broker.url);
    for (let i = 0; i < 5; i++) await pub.publishAsync(`${topic}/a`, JSON.stringify({ device: 'probe-1', v: i }), { qos: 1 });
    await pub.endAsync();
    const done = await stream.until((e) => e.event === 'status' && (e.data as Live).status.counters.stored === 5 && (e.data as Live));
    assert.equal(done.name, 'live');
    assert.equal(done.status.counters.received, 5);
    await t.api.call('DELETE', `/integrations/${created.id}`);
    const removed = await stream.until((e) => e.event === 'removed' && (e.data as { id: string }));
    assert.equal(removed.id, created.id);
    await stream.cancel();
  });

  it('closing the app ends open streams instead of waiting for them', async () => {
    const other = await startTestApp();
    const { ticket } = await other.api.post<{ ticket: string }>('/stream/tickets');
    const stream = new SseReader(await fetch(`${other.url}/api/v1/stream/integrations?ticket=${ticket}`));
    assert.equal((await stream.next()).event, 'snapshot');
    await other.close();
    await assert.rejects(stream.next(), /event stream ended|terminated|aborted/);
  });
});

describe('/ui/ serving', () => {
  it('without a built UI, /ui/ says how to build it; the classic console is still served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-ui-'));
    const app = Fastify();
    await app.register(uiRoutes(`${dir}/`));
    try {
      const res = await app.inject({ url: '/ui/' });
      assert.equal(res.statusCode, 503);
      assert.match(res.body, /npm run build:ui/);
      assert.equal((await app.inject({ url: '/ui/app.js' })).statusCode, 404);
      assert.equal((await app.inject({ url: '/ui/../package.json' })).statusCode, 404);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const real = Fastify();
    await real.register(uiRoutes());
    const classic = await real.inject({ url: '/ui/classic/' });
    assert.equal(classic.statusCode, 200);
    assert.match(classic.body, /\/ui\/classic\/app\.js/);
    await real.close();
  });
});

/**
 * Bulk dead-letter replay and discard, the dead-letter and event filters, and the live events
 * stream, against Cloudbridge with a real Mosquitto integration whose converter fails, then is fixed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { hashToken } from '../../src/app/auth.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { SseReader } from '../support/sse.ts';
import { apiClient, startTestApp, waitFor, type TestApp } from './harness.ts';

const VIEWER = 'cb_test_bulk_viewer_token_0123456789';
const TOPIC = `bulk-${process.pid}`;
const BROKEN = 'var d = decodeToJson(payload); if (d.v > 0) throw new Error("v is not supported yet"); return { deviceName: d.device, deviceType: "probe", telemetry: { v: d.v } };';
const FIXED = 'var d = decodeToJson(payload); return { deviceName: d.device, deviceType: "probe", telemetry: { v: d.v } };';

interface Letter { id: string; stage: string; errorCode: string; error: string; state: string; createdAt: number; payloadText: string }
interface Page { total: number; items: Letter[] }
interface Outcome { id: string; ok: boolean; status: string; integrationId?: string; error?: { code: string; message: string } }
interface Bulk { replayed?: number; discarded?: number; failed: number; remaining: number; results: Outcome[] }
interface Event { id: string; type: string; ts: number; integrationId: string; body: Record<string, unknown> }

describe('dead letters in bulk, filters and live events', () => {
  let broker: MosquittoBroker;
  let t: TestApp;
  let integrationId = '';
  before(async () => {
    broker = await startMosquitto();
    t = await startTestApp();
    await t.app.store.addToken({ id: 'viewer-bulk', name: 'viewer', role: 'viewer', hash: hashToken(VIEWER), createdAt: Date.now() });
    await t.api.post('/converters', { name: 'dec', type: 'uplink', script: BROKEN });
    const created = await t.api.post<{ id: string }>('/integrations', {
      name: 'bulk-plant', type: 'mqtt', uplinkConverter: 'dec', config: { host: '127.0.0.1', port: broker.port, clientId: `cb-bulk-${process.pid}`, topicFilters: [{ filter: `${TOPIC}/#` }] },
    });
    integrationId = created.id;
    await waitFor(async () => (await t.api.get<{ state: string }>('/integrations/bulk-plant/status')).state === 'RUNNING', 'running');
  });
  after(async () => {
    await t?.close();
    await broker?.dispose();
  });

  const publish = async (values: number[]): Promise<void> => {
    const client = await mqtt.connectAsync(broker.url);
    for (const v of values) await client.publishAsync(`${TOPIC}/x`, JSON.stringify({ device: 'bulk-1', v }), { qos: 1 });
    await client.endAsync();
  };

  it('filters dead letters by integration, stage, error code, state and time', async () => {
    await publish([1, 2, 3, 4]);
    const page = await waitFor(async () => {
      const p = await t.api.get<Page>('/dead-letters?integration=bulk-plant');
      return p.total === 4 ? p : null;
    }, '4 dead letters');
    const [code] = new Set(page.items.map((d) => d.errorCode));
    assert.deepEqual([...new Set(page.items.map((d) => d.stage))], ['convert']);
    assert.ok(code);
    assert.equal((await t.api.get<Page>(`/dead-letters?integration=bulk-plant&stage=convert&errorCode=${code}&state=pending`)).total, 4);
    assert.equal((await t.api.get<Page>('/dead-letters?errorCode=NO_SUCH_CODE')).total, 0);
    assert.equal((await t.api.get<Page>('/dead-letters?stage=provision')).total, 0);
    const oldest = Math.min(...page.items.map((d) => d.createdAt));
    assert.equal((await t.api.get<Page>(`/dead-letters?to=${oldest}`)).total, 0);
    assert.equal((await t.api.get<Page>(`/dead-letters?from=${oldest}&to=${Date.now() + 1000}`)).total, 4);
    assert.equal((await t.api.call('GET', '/dead-letters?integration=no-such')).status, 404);
  });

  it('a viewer may not replay or discard in bulk (403), and nothing changes', async () => {
    const viewer = apiClient(`${t.url}/api/v1`, VIEWER);
    assert.equal((await viewer.call('POST', '/dead-letters/replay', { integration: 'bulk-plant' })).status, 403);
    assert.equal((await viewer.call('POST', '/dead-letters/discard', { integration: 'bulk-plant' })).status, 403);
    assert.equal((await t.api.get<Page>('/dead-letters?integration=bulk-plant&state=pending')).total, 4);
  });

  it('discards by ids with an outcome per letter', async () => {
    const page = await t.api.get<Page>('/dead-letters?integration=bulk-plant&limit=1');
    const id = page.items[0]?.id ?? '';
    const out = await t.api.post<Bulk>('/dead-letters/discard', { ids: [id, 'no-such-letter'] });
    assert.deepEqual(out.results.map((r) => [r.id, r.status, r.error?.code, r.integrationId]), [[id, 'discarded', undefined, integrationId], ['no-such-letter', 'failed', 'NOT_FOUND', undefined]]);
    assert.deepEqual([out.discarded, out.failed], [1, 1]);
    assert.equal((await t.api.get<Letter>(`/dead-letters/${id}`)).state, 'discarded');
    assert.equal((await t.api.get<Page>('/dead-letters?integration=bulk-plant&state=pending')).total, 3);
  });

  it('replays a filtered set in batches: dead-lettered again with the new error, then stored, then duplicate', async () => {
    const again = await t.api.post<Bulk>('/dead-letters/replay', { integration: 'bulk-plant', limit: 2 });
    assert.deepEqual(again.results.map((r) => r.status), ['dead-lettered', 'dead-lettered']);
    assert.match(again.results[0]?.error?.message ?? '', /v is not supported yet/);
    assert.deepEqual([again.replayed, again.failed, again.remaining], [0, 2, 1]);
    assert.equal((await t.api.get<Page>('/dead-letters?integration=bulk-plant&state=pending')).total, 3, 'still pending');

    const current = await t.api.get<Record<string, unknown>>('/converters/dec');
    assert.equal((await t.api.call('PUT', '/converters/dec', { ...current, script: FIXED })).status, 200);
    const stored = await t.api.post<Bulk>('/dead-letters/replay', { integration: 'bulk-plant', state: 'pending' });
    assert.deepEqual(stored.results.map((r) => [r.status, r.integrationId]), [['stored', integrationId], ['stored', integrationId], ['stored', integrationId]]);
    assert.deepEqual([stored.replayed, stored.failed, stored.remaining], [3, 0, 0]);
    const telemetry = await t.api.get<{ v?: Array<{ value: number }> }>('/devices/bulk-1/telemetry?keys=v');
    const discarded = (JSON.parse(await discardedPayload()) as { v: number }).v;
    assert.deepEqual(telemetry.v?.map((p) => p.value).sort(), [1, 2, 3, 4].filter((v) => v !== discarded), 'the replayed values, not the discarded one');
    const dup = await t.api.post<Bulk>('/dead-letters/replay', { ids: stored.results.map((r) => r.id) });
    assert.deepEqual(dup.results.map((r) => r.status), ['duplicate', 'duplicate', 'duplicate']);
    assert.equal((await t.api.post<Bulk>('/dead-letters/replay', { integration: 'bulk-plant' })).results.length, 0, 'none pending');
    assert.equal((await t.api.call('POST', '/dead-letters/replay', { ids: [] })).status, 400);
    assert.equal((await t.api.call('POST', '/dead-letters/replay', { limit: 100_000 })).status, 400);
  });

  const discardedPayload = async (): Promise<string> =>
    (await t.api.get<Page>('/dead-letters?integration=bulk-plant&state=discarded')).items[0]?.payloadText ?? '{}';

  it('filters events by several types and a time range; a wrong type is a 400', async () => {
    const all = await t.api.get<Event[]>('/events?integration=bulk-plant&limit=1000');
    const types = new Set(all.map((e) => e.type));
    assert.ok(types.has('LIFECYCLE'), `lifecycle events among ${[...types].join(', ')}`);
    const some = await t.api.get<Event[]>('/events?integration=bulk-plant&type=LIFECYCLE,ERROR&limit=1000');
    assert.ok(some.length > 0 && some.every((e) => e.type === 'LIFECYCLE' || e.type === 'ERROR'));
    assert.deepEqual(some.map((e) => e.id), all.filter((e) => e.type === 'LIFECYCLE' || e.type === 'ERROR').map((e) => e.id));
    const newest = all[0]?.ts ?? 0;
    const recent = await t.api.get<Event[]>(`/events?integration=bulk-plant&from=${newest}&limit=1000`);
    assert.deepEqual(recent.map((e) => e.id), all.filter((e) => e.ts >= newest).map((e) => e.id));
    assert.deepEqual(await t.api.get<Event[]>(`/events?integration=bulk-plant&to=${Math.min(...all.map((e) => e.ts))}`), []);
    assert.equal((await t.api.call('GET', '/events?type=LIFECYCLE,NOPE')).status, 400);
  });

  it('streams new events matching the filter', async () => {
    await t.api.call('PUT', '/integrations/bulk-plant', { ...(await t.api.get<Record<string, unknown>>('/integrations/bulk-plant')), debug: { failures: true, allMinutes: 5 } });
    const { ticket } = await apiClient(`${t.url}/api/v1`, VIEWER).post<{ ticket: string }>('/stream/tickets');
    const res = await fetch(`${t.url}/api/v1/stream/events?ticket=${encodeURIComponent(ticket)}&integration=${integrationId}&type=DEBUG_UPLINK,DEBUG_CONVERTER`);
    assert.equal(res.status, 200);
    const reader = new SseReader(res);
    try {
      await publish([42]);
      const e = await reader.until((x) => x.event === 'event' && JSON.stringify(x.data).includes('42') ? x.data as Event : null);
      assert.equal(e.integrationId, integrationId);
      assert.ok(['DEBUG_UPLINK', 'DEBUG_CONVERTER'].includes(e.type));
    } finally {
      await reader.cancel();
    }
  });
});

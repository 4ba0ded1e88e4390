/**
 * GET /stream/forwarders (server-sent events) against the ThingsBoard gateway-API double: a
 * snapshot of every forwarder, a new one with its secrets redacted, each state change (connected,
 * disconnected when the double stops, connected again), `removed` with the forwarder's name; a
 * ticket opens one stream only. The delivered counters rising live: test/ui/forwarders.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../peers/thingsboard/index.ts';
import { SseReader } from '../support/sse.ts';
import { startTestApp, type TestApp } from './harness.ts';

interface Live { name: string; config: Record<string, unknown>; status: { state: string; outbox: { depth: number }; counters: Record<string, number> } }

describe('live forwarder stream', () => {
  let tb: ThingsBoardDouble;
  let t: TestApp;
  before(async () => {
    tb = await startThingsBoardDouble();
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
    await tb.dispose();
  });

  const openStream = async (): Promise<SseReader> => {
    const { ticket } = await t.api.post<{ ticket: string }>('/stream/tickets');
    const res = await fetch(`${t.url}/api/v1/stream/forwarders?ticket=${encodeURIComponent(ticket)}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal((await fetch(`${t.url}/api/v1/stream/forwarders?ticket=${encodeURIComponent(ticket)}`)).status, 401, 'a ticket opens one stream');
    return new SseReader(res);
  };

  it('pushes a new forwarder without its token, its state changes, and its removal by name', async () => {
    const stream = await openStream();
    const snapshot = await stream.next();
    assert.deepEqual(snapshot, { event: 'snapshot', data: [] });
    const put = await t.api.call('PUT', '/forwarders/tb', {
      name: 'tb', type: 'thingsboard-gateway', integrations: 'all',
      config: { host: tb.host, port: tb.port, accessToken: tb.gateway.token, reconnect: { initialDelayMs: 100, maxDelayMs: 500 } },
    });
    assert.equal(put.status, 201);
    const connected = await stream.until((e) => e.event === 'status' && (e.data as Live).status.state === 'connected' && (e.data as Live));
    assert.equal(connected.name, 'tb');
    assert.equal(connected.config.accessToken, '***');
    await tb.stop();
    await stream.until((e) => e.event === 'status' && (e.data as Live).status.state === 'disconnected');
    await tb.start();
    await stream.until((e) => e.event === 'status' && (e.data as Live).status.state === 'connected');
    await t.api.call('DELETE', '/forwarders/tb');
    const removed = await stream.until((e) => e.event === 'removed' && (e.data as { name: string }));
    assert.deepEqual(removed, { name: 'tb' });
    await stream.cancel();
  });
});

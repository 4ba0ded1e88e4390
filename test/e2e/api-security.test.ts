/** API security as a user sees it: no route without a valid token, no secret in any response or log. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from './harness.ts';
import { TB_DECODER } from './fixtures.ts';

const GOOD_PASSWORD = 'Sup3r-Secret-Pa55word';
const BAD_PASSWORD = 'Wr0ng-Secret-Pa55word';

describe('API security', () => {
  let broker: MosquittoBroker;
  let t: TestApp;
  before(async () => {
    broker = await startMosquitto({ users: { cloudbridge: GOOD_PASSWORD } });
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
    await broker.dispose();
  });

  it('every route but /health and /ready answers 401 without a valid token', async () => {
    const doc = await t.api.get<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json');
    const routes: Array<[string, string]> = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) routes.push([method.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x')]);
    }
    routes.push(['GET', '/metrics'], ['GET', '/api/v1/openapi.json']);
    assert.ok(routes.length > 25, `found ${routes.length} routes`);
    for (const [method, path] of routes) {
      const url = `${t.url}${path}`;
      const isPublic = path === '/health' || path === '/ready';
      for (const auth of [undefined, 'Bearer wrong-token', `Basic ${Buffer.from(`admin:${TEST_TOKEN}`).toString('base64')}`]) {
        const res = await fetch(url, { method, headers: { ...(auth ? { authorization: auth } : {}), ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }) }, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }) });
        if (isPublic) assert.equal(res.status, 200, `${method} ${path} is public`);
        else {
          assert.equal(res.status, 401, `${method} ${path} with ${auth ?? 'no token'}`);
          const body = await res.json() as { error: { code: string } };
          assert.equal(body.error.code, 'UNAUTHORIZED');
        }
      }
    }
  });

  it('never shows a secret in API responses or log lines', async () => {
    const r1 = await t.api.call('POST', '/converters', { name: 'sec-decoder', type: 'uplink', script: TB_DECODER });
    assert.equal(r1.status, 201, r1.text);
    const base = { type: 'mqtt', uplinkConverter: 'sec-decoder', allowCreateDevices: true };
    const good = await t.api.call('POST', '/integrations', { ...base, name: 'secure', config: { host: '127.0.0.1', port: broker.port, username: 'cloudbridge', password: GOOD_PASSWORD, clientId: 'cb-secure', topicFilters: [{ filter: 'sec/#', qos: 1 }] } });
    assert.equal(good.status, 201, good.text);
    assert.equal((good.body as { config: { password: string } }).config.password, '***');
    const bad = await t.api.call('POST', '/integrations', { ...base, name: 'insecure', config: { host: '127.0.0.1', port: broker.port, username: 'cloudbridge', password: BAD_PASSWORD, clientId: 'cb-insecure', topicFilters: [{ filter: 'sec/#', qos: 1 }] } });
    assert.equal(bad.status, 201, bad.text);
    await waitFor(async () => (await t.api.get<{ state: string }>('/integrations/secure/status')).state === 'RUNNING', 'secure running');
    const failed = await waitFor(async () => {
      const s = await t.api.get<{ state: string; lastError: { code: string; message: string } | null }>('/integrations/insecure/status');
      return s.state === 'MISCONFIGURED' ? s : null;
    }, 'insecure misconfigured');
    assert.equal(failed.lastError?.code, 'AUTH_FAILED');
    const check = await t.api.call('POST', '/integrations/insecure/check');
    assert.equal((check.body as { ok: boolean }).ok, false);
    const update = await t.api.call('PUT', '/integrations/secure', { ...base, name: 'secure', config: { host: '127.0.0.1', port: broker.port, username: 'cloudbridge', password: '***', clientId: 'cb-secure', topicFilters: [{ filter: 'sec/#', qos: 1 }] } });
    assert.equal(update.status, 200, update.text);
    await waitFor(async () => (await t.api.get<{ state: string }>('/integrations/secure/status')).state === 'RUNNING', 'secure still connects with the kept password');
    const responses = [good.text, bad.text, check.text, update.text];
    for (const path of ['/integrations', '/integrations/secure', '/integrations/insecure', '/integrations/insecure/status', '/events?limit=1000', '/connectors', '/openapi.json']) {
      responses.push((await t.api.call('GET', path)).text);
    }
    responses.push((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text())));
    for (const secret of [GOOD_PASSWORD, BAD_PASSWORD, TEST_TOKEN]) {
      responses.forEach((text, i) => assert.ok(!text.includes(secret), `response ${i} leaks a secret`));
      assert.ok(t.logs.length > 0);
      for (const line of t.logs) assert.ok(!line.includes(secret), `log line leaks a secret: ${line}`);
    }
    const stored = await t.app.store.getIntegration('secure');
    assert.ok(!JSON.stringify(stored).includes(GOOD_PASSWORD), 'the password is encrypted at rest');
  });

  it('refuses an invalid integration with the field and the fix', async () => {
    const r = await t.api.call('POST', '/integrations', { name: 'broken', type: 'mqtt', uplinkConverter: 'sec-decoder', config: { host: '127.0.0.1', port: 70000, topicFilters: [] } });
    assert.equal(r.status, 400);
    const err = (r.body as { error: { code: string; message: string; details: { field: string } } }).error;
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /config\.port/);
    assert.match(err.message, /config\.topicFilters/);
    const missing = await t.api.call('POST', '/integrations', { name: 'broken2', type: 'mqtt', uplinkConverter: 'nope', config: { host: 'h', topicFilters: [{ filter: 'a', qos: 1 }] } });
    assert.equal(missing.status, 404);
    assert.match((missing.body as { error: { message: string } }).error.message, /converter "nope" not found/);
  });
});

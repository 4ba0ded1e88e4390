/**
 * Forwarders through the config file and the API: validation naming the field, `config lint`,
 * the access token encrypted at rest and shown as "***", GET-modify-PUT keeping it, status with
 * the outbox, live create / replace / delete (the double sees the gateway connect and go),
 * changes refused without a token, and the Prometheus gauges.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintConfig } from '../../src/app/config-lint.ts';
import { FORWARDERS_SETTING } from '../../src/app/forwarder-config.ts';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../peers/thingsboard/index.ts';
import { startTestApp, waitFor, type TestApp } from '../e2e/harness.ts';

describe('forwarders API and config', () => {
  let tb: ThingsBoardDouble;
  let t: TestApp;
  before(async () => {
    tb = await startThingsBoardDouble();
    t = await startTestApp({
      yaml: `forwarders:\n  - name: tb\n    type: thingsboard-gateway\n    integrations: all\n    config: { host: 127.0.0.1, port: ${tb.port}, accessToken: "${tb.gateway.token}" }\n`,
    });
  });
  after(async () => {
    await t.close();
    await tb.dispose();
  });

  it('a forwarder of the config file connects; GET shows its status and "***" for the token, never the token', async () => {
    await tb.waitFor(() => tb.sessions().length === 1, 10_000, 'the gateway session');
    const view = await waitFor(async () => {
      const v = await t.api.get<{ config: { accessToken: string }; status: { state: string; outbox: { depth: number } } }>('/forwarders/tb');
      return v.status.state === 'connected' ? v : null;
    }, 'connected');
    assert.equal(view.config.accessToken, '***');
    assert.equal(view.status.outbox.depth, 0);
    const list = await t.api.call('GET', '/forwarders');
    assert.doesNotMatch(list.text, new RegExp(tb.gateway.token));
    const stored = await t.app.store.getSetting(FORWARDERS_SETTING);
    assert.ok(stored && !stored.includes(tb.gateway.token), 'the token is encrypted at rest');
    assert.ok(!t.logs.join('\n').includes(tb.gateway.token), 'the token is never logged');
  });

  it('GET-modify-PUT keeps the secret; a change applies at once; DELETE disconnects', async () => {
    const view = await t.api.get<Record<string, unknown>>('/forwarders/tb');
    const session = tb.sessions()[0]?.id;
    const same = await t.api.call('PUT', '/forwarders/tb', view);
    assert.equal(same.status, 200, same.text);
    assert.equal(tb.sessions()[0]?.id, session, 'unchanged: the connection stays');
    const put = await t.api.call('PUT', '/forwarders/tb', { ...view, config: { ...(view.config as object), batchMaxMessages: 50 } });
    assert.equal(put.status, 200, put.text);
    await waitFor(async () => (await t.api.get<{ status: { state: string } }>('/forwarders/tb')).status.state === 'connected', 'reconnected with the kept token');
    assert.equal((await t.api.get<{ config: { batchMaxMessages: number } }>('/forwarders/tb')).config.batchMaxMessages, 50);
    const metrics = await t.api.call('GET', '/metrics');
    assert.match(metrics.text, /cloudbridge_forwarder_connected\{forwarder="tb",type="thingsboard-gateway"\} 1/);
    assert.match(metrics.text, /cloudbridge_forwarder_outbox_depth\{forwarder="tb"/);
    const del = await t.api.call('DELETE', '/forwarders/tb');
    assert.equal(del.status, 204);
    await tb.waitFor(() => tb.sessions().length === 0, 10_000, 'the gateway session closed');
    assert.equal((await t.api.call('GET', '/forwarders/tb')).status, 404);
  });

  it('a forwarder naming an integration that does not exist is saved with a warning naming it', async () => {
    const saved = await t.api.call('PUT', '/forwarders/z', { name: 'z', type: 'thingsboard-gateway', integrations: ['no-such-integration'], enabled: false, config: { host: '127.0.0.1', port: tb.port, accessToken: 'x' } });
    assert.equal(saved.status, 201, saved.text);
    assert.match(saved.text, /body\.integrations: \\"no-such-integration\\" is not an integration: nothing of it is forwarded/);
    assert.equal((await t.api.call('DELETE', '/forwarders/z')).status, 204);
  });

  it('an invalid forwarder is refused naming the field; nothing changes without a token', async () => {
    const bad = await t.api.call('PUT', '/forwarders/x', { name: 'x', type: 'thingsboard-gateway', integrations: 'all', config: { host: 'h', port: 70000, accessToken: 'secret-value-123' } });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /config\.port/);
    assert.doesNotMatch(bad.text, /secret-value-123/);
    const none = await t.api.call('PUT', '/forwarders/y', { name: 'y', type: 'thingsboard-gateway', integrations: 'all', config: { host: 'h' } });
    assert.match(none.text, /config\.accessToken.*access token of the gateway device/);
    const anonymous = await t.api.call('PUT', '/forwarders/x', { name: 'x', type: 'thingsboard-gateway', integrations: 'all', config: {} }, null);
    assert.equal(anonymous.status, 401);
  });

  it('the connection check connects as the gateway and reports a refused token on accessToken, without echoing it', async () => {
    const body = (accessToken: string) => ({ name: 'probe', type: 'thingsboard-gateway', integrations: 'all', config: { host: '127.0.0.1', port: tb.port, accessToken } });
    const good = await t.api.post<{ ok: boolean; checks: Array<{ message: string }> }>('/forwarders/check', body(tb.gateway.token));
    assert.equal(good.ok, true, JSON.stringify(good));
    assert.match(good.checks.map((c) => c.message).join('\n'), /subscribed to v1\/gateway\/rpc/);
    const bad = await t.api.call('POST', '/forwarders/check', body('not-the-gateway-token'));
    assert.equal((bad.body as { ok: boolean }).ok, false);
    assert.match(bad.text, /AUTH_FAILED/);
    assert.match(bad.text, /access token of the gateway device/);
    assert.doesNotMatch(bad.text, /not-the-gateway-token/);
    assert.equal(tb.devices().filter((d) => !d.gateway).length, 0, 'a check creates no device');
  });

  it('config lint checks forwarders with the field path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-fwd-lint-'));
    try {
      const file = join(dir, 'c.yaml');
      writeFileSync(file, 'forwarders:\n  - name: tb\n    type: thingsboard-gateway\n    integrations: [plant]\n    config: { host: tb.example.com, protocolVersion: 3, accessToken: t }\n');
      const r = await lintConfig(file);
      assert.equal(r.ok, false);
      assert.match(JSON.stringify(r.problems), /forwarders\[0\]\.config\.protocolVersion/);
      writeFileSync(file, 'forwarders:\n  - name: tb\n    type: thingsboard-gateway\n    integrations: [plant]\n    config: { host: tb.example.com, accessToken: t }\n');
      const ok = await lintConfig(file);
      assert.equal(ok.ok, true, JSON.stringify(ok.problems));
      assert.match(ok.warnings.join('\n'), /forwarders\[0\]\.integrations: "plant" is not defined in this file/);
      assert.match(ok.warnings.join('\n'), /forwarders\[0\].*tls: not set/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

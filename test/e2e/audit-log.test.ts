/**
 * The audit log end to end: changes made through the REST API (integrations with a secret,
 * forwarders, tokens, dead letters) are listed at /api/v1/audit with the token's name and the
 * objects before and after, secrets and tokens redacted; the config file at start is `config-file`
 * and `cloudbridge token create` is `cli`; only admin tokens may read it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken } from '../../src/app/auth.ts';
import type { AuditEntry } from '../../src/store/types.ts';
import { convertersYaml, TB_DECODER } from './fixtures.ts';
import { apiClient, startTestApp, type ApiClient, type TestApp } from './harness.ts';

const BIN = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;
const PASSWORD_1 = 'audit-secret-password-one';
const PASSWORD_2 = 'audit-secret-password-two';
const TB_ACCESS_TOKEN = 'audit-secret-tb-access-token';
const VIEWER = 'cb_test_audit_viewer_0123456789';
const ADMIN_NAME = 'admin (CLOUDBRIDGE_ADMIN_TOKEN)';

interface Snapshot {
  name?: string;
  enabled?: boolean;
  config?: Record<string, unknown>;
  state?: string;
}
type Entry = Omit<AuditEntry, 'before' | 'after'> & { before: Snapshot | null; after: Snapshot | null };

function mqttBody(password: string, clientId: string): Record<string, unknown> {
  return {
    name: 'audited', type: 'mqtt', uplinkConverter: 'decoder', enabled: true,
    config: { host: '127.0.0.1', port: 1, username: 'cloudbridge', password, clientId, topicFilters: [{ filter: 'audit/#', qos: 1 }] },
  };
}

describe('audit log', () => {
  let t: TestApp;
  let ops: ApiClient;
  let opsToken = '';
  let dbPath = '';
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-audit-'));
    dbPath = join(dir, 'cloudbridge.db');
    // The CLI creates a token in the store before the service ever ran on it.
    writeFileSync(join(dir, 'cli.yaml'), `store:\n  sqlite:\n    path: ${dbPath}\n`);
    const cli = spawnSync(process.execPath, [BIN, 'token', 'create', '--name', 'ci-pipeline', '--role', 'viewer', '--config', join(dir, 'cli.yaml')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(cli.status, 0, cli.stderr);
    t = await startTestApp({ dir, yaml: convertersYaml(TB_DECODER) });
    await t.app.store.addToken({ id: 'viewer-audit', name: 'viewer', role: 'viewer', hash: hashToken(VIEWER), createdAt: Date.now() });
    const created = await t.api.post<{ token: string }>('/tokens', { name: 'ops team', role: 'admin' });
    opsToken = created.token;
    ops = apiClient(`${t.url}/api/v1`, opsToken);
  });
  after(async () => {
    await t.close();
    rmSync(t.dir, { recursive: true, force: true });
  });

  const audit = async (query = ''): Promise<Entry[]> => t.api.get<Entry[]>(`/audit${query}`);

  it('records start-up changes as config-file and the CLI\'s token as cli', async () => {
    const converter = (await audit('?kind=converter&entity=decoder')).at(-1);
    assert.deepEqual(converter && [converter.source, converter.actor, converter.action, converter.entityName, converter.before], ['config-file', 'config-file', 'create', 'decoder', null]);
    const adminToken = (await audit(`?kind=token&entity=${encodeURIComponent(ADMIN_NAME)}`)).at(-1);
    assert.deepEqual(adminToken && [adminToken.source, adminToken.action], ['config-file', 'create'], 'the admin token of CLOUDBRIDGE_ADMIN_TOKEN, added at start');
    const cli = await audit('?source=cli');
    assert.deepEqual(cli.map((e) => [e.actor, e.action, e.entityKind, e.entityName, e.after?.name]), [['cli', 'create', 'token', 'ci-pipeline', 'ci-pipeline']]);
    const ops = (await audit('?kind=token&entity=ops%20team'))[0];
    assert.deepEqual(ops && [ops.source, ops.actor, ops.action], ['api', ADMIN_NAME, 'create']);
    assert.ok(!JSON.stringify(await audit()).includes(opsToken), 'the new token is not in the log');
    assert.ok(!JSON.stringify(await audit()).includes(hashToken(opsToken)), 'nor its hash');
  });

  it('records an integration\'s create, update, disable and delete by the token\'s name, secrets redacted; an unchanged PUT records nothing', async () => {
    const since = Date.now();
    assert.equal((await ops.call('POST', '/integrations', mqttBody(PASSWORD_1, 'cb-audit-1'))).status, 201);
    assert.equal((await ops.call('PUT', '/integrations/audited', mqttBody(PASSWORD_2, 'cb-audit-2'))).status, 200);
    const view = await ops.get<Record<string, unknown>>('/integrations/audited');
    assert.equal((await ops.call('PUT', '/integrations/audited', view)).status, 200, 'GET sent back: unchanged');
    assert.equal((await ops.call('POST', '/integrations/audited/disable')).status, 200);
    assert.equal((await ops.call('DELETE', '/integrations/audited')).status, 204);

    const entries = (await audit(`?kind=integration&entity=audited&from=${since}`)).reverse();
    assert.deepEqual(entries.map((e) => [e.source, e.actor, e.action]), [
      ['api', 'ops team', 'create'], ['api', 'ops team', 'update'], ['api', 'ops team', 'disable'], ['api', 'ops team', 'delete'],
    ]);
    const [created, updated, disabled, deleted] = entries;
    assert.equal(created?.before, null);
    const cfg = created?.after?.config;
    assert.deepEqual([cfg?.host, cfg?.username, cfg?.password, cfg?.clientId], ['127.0.0.1', 'cloudbridge', '***', 'cb-audit-1'], 'the config as GET shows it');
    assert.deepEqual([updated?.before?.config?.clientId, updated?.after?.config?.clientId], ['cb-audit-1', 'cb-audit-2']);
    assert.deepEqual([updated?.before?.config?.password, updated?.after?.config?.password], ['***', '***']);
    assert.deepEqual([disabled?.before?.enabled, disabled?.after?.enabled], [true, false]);
    assert.equal(deleted?.after, null);
    assert.equal(deleted?.before?.name, 'audited');
    assert.ok(entries.every((e) => e.entityId === created?.entityId && e.entityName === 'audited'));

    const text = JSON.stringify(await audit());
    for (const secret of [PASSWORD_1, PASSWORD_2]) assert.ok(!text.includes(secret), 'no secret in the audit log');
    const raw = readFileSync(dbPath);
    for (const secret of [PASSWORD_1, PASSWORD_2]) assert.ok(!raw.includes(secret), 'nor in the database file');
  });

  it('records a forwarder\'s changes with its access token redacted', async () => {
    const body = { name: 'tb-audit', type: 'thingsboard-gateway', integrations: 'all', enabled: false, config: { host: '127.0.0.1', port: 1, accessToken: TB_ACCESS_TOKEN } };
    assert.equal((await ops.call('PUT', '/forwarders/tb-audit', body)).status, 201, 'a create');
    assert.equal((await ops.call('PUT', '/forwarders/tb-audit', { ...body, config: { ...body.config, accessToken: '***', batchMaxMessages: 50 } })).status, 200);
    assert.equal((await ops.call('DELETE', '/forwarders/tb-audit')).status, 204);
    const entries = (await audit('?kind=forwarder')).reverse();
    assert.deepEqual(entries.map((e) => [e.actor, e.action, e.entityName]), [['ops team', 'create', 'tb-audit'], ['ops team', 'update', 'tb-audit'], ['ops team', 'delete', 'tb-audit']]);
    assert.equal(entries[0]?.after?.config?.accessToken, '***');
    assert.deepEqual([entries[1]?.before?.config?.batchMaxMessages, entries[1]?.after?.config?.batchMaxMessages], [500, 50]);
    assert.ok(!JSON.stringify(entries).includes(TB_ACCESS_TOKEN));
  });

  it('records dead letters replayed or discarded, one entry per letter, single and in bulk; a failed replay is not recorded', async () => {
    const integ = await ops.post<{ id: string }>('/integrations', { ...mqttBody(PASSWORD_1, 'cb-audit-dl'), name: 'dl-source', enabled: false });
    const letter = (key: string, payload: string) => ({
      sourceKey: key, payload: new TextEncoder().encode(payload), metadata: { topic: 'audit/pump-1' }, receivedAt: Date.now(),
      outcome: { kind: 'dead-letter' as const, deadLetter: { stage: 'convert' as const, errorCode: 'CONVERTER_OUTPUT', error: 'bad' } },
    });
    await t.app.store.commitUplinks({
      integrationId: integ.id, allowCreateDevices: true,
      items: [letter('good', '{"ts": 1700000000000, "temperature": 21, "seq": 1, "model": "TH-1"}'), letter('bad-1', '{'), letter('bad-2', '{'), letter('bad-3', '{')],
    });
    const ids = new Map((await ops.get<{ items: Array<{ id: string; sourceKey: string }> }>('/dead-letters?integration=dl-source')).items.map((d) => [d.sourceKey, d.id]));
    const [good, bad1, bad2, bad3] = ['good', 'bad-1', 'bad-2', 'bad-3'].map((k) => ids.get(k) ?? '');
    assert.equal((await ops.post<{ status: string }>(`/dead-letters/${good}/replay`)).status, 'stored');
    assert.deepEqual((await ops.post<{ failed: number }>('/dead-letters/replay', { ids: [bad1] })).failed, 1, 'converts no better now');
    assert.equal((await ops.call('DELETE', `/dead-letters/${bad1}`)).status, 204);
    const bulk = await ops.post<{ discarded: number; failed: number }>('/dead-letters/discard', { ids: [bad2, bad3, 'no-such-letter'] });
    assert.deepEqual([bulk.discarded, bulk.failed], [2, 1]);

    const entries = (await audit('?kind=dead-letter')).reverse();
    assert.deepEqual(entries.map((e) => [e.actor, e.action, e.entityId, e.before?.state, e.after?.state]), [
      ['ops team', 'replay', good, 'pending', 'replayed'],
      ['ops team', 'discard', bad1, 'pending', 'discarded'],
      ['ops team', 'discard', bad2, 'pending', 'discarded'],
      ['ops team', 'discard', bad3, 'pending', 'discarded'],
    ], 'the failed replay and the unknown letter are not recorded');
    assert.equal((entries[0]?.after as { outcome?: string } | null)?.outcome, 'stored');
  });

  it('filters by actor, time and kind, pages with before=<id>; admins only', async () => {
    const all = await audit('?limit=1000');
    assert.ok(all.length >= 12);
    for (let i = 1; i < all.length; i++) assert.ok((all[i - 1]?.ts ?? 0) >= (all[i]?.ts ?? 0), 'newest first');
    const paged: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await audit(`?limit=5${before ? `&before=${before}` : ''}`);
      if (page.length === 0) break;
      paged.push(...page.map((e) => e.id));
      before = page.at(-1)?.id;
    }
    assert.deepEqual(paged, all.map((e) => e.id));
    assert.ok((await audit('?actor=ops%20team')).every((e) => e.actor === 'ops team'));
    assert.deepEqual(await audit(`?to=${(all.at(-1)?.ts ?? 0)}`), []);

    const viewer = apiClient(`${t.url}/api/v1`, VIEWER);
    const refused = await viewer.call('GET', '/audit');
    assert.equal(refused.status, 403);
    assert.equal((refused.body as { error: { code: string } }).error.code, 'FORBIDDEN');
    assert.equal((await t.api.call('GET', '/audit', undefined, null)).status, 401);
    const unknown = await t.api.call('GET', '/audit?before=no-such-entry');
    assert.equal(unknown.status, 404);
    assert.match((unknown.body as { error: { message: string } }).error.message, /audit entry no-such-entry not found/);
    assert.equal((await t.api.call('GET', '/audit?kind=gadget')).status, 400);
  });
});

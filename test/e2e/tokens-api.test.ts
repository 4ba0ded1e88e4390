/** Token administration over the API: admins list, create and revoke; viewers get 403; revoked tokens are refused. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashToken } from '../../src/app/auth.ts';
import { apiClient, startTestApp, type TestApp } from './harness.ts';

const VIEWER = 'cb_test_tokens_viewer_0123456789';
interface Shown { id: string; name: string; role: string; createdAt: number; token?: string }

describe('API tokens', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
    await t.app.store.addToken({ id: 'viewer-1', name: 'viewer', role: 'viewer', hash: hashToken(VIEWER), createdAt: Date.now() });
  });
  after(async () => t.close());

  it('lists names, roles and dates, never a token or its hash', async () => {
    const list = await t.api.get<Shown[]>('/tokens');
    assert.deepEqual(list.map((x) => [x.name, x.role]), [['admin (CLOUDBRIDGE_ADMIN_TOKEN)', 'admin'], ['viewer', 'viewer']]);
    for (const x of list) assert.deepEqual(Object.keys(x).sort(), ['createdAt', 'id', 'name', 'role']);
    assert.ok(!JSON.stringify(list).includes(hashToken(VIEWER)));
  });

  it('creates a token that works at once and is shown only in the answer', async () => {
    const created = await t.api.post<Shown>('/tokens', { name: 'grafana', role: 'viewer' });
    assert.match(created.token ?? '', /^cb_[\w-]{32}$/);
    const client = apiClient(`${t.url}/api/v1`, created.token);
    assert.deepEqual(await client.get('/session'), { role: 'viewer' });
    assert.equal((await client.call('POST', '/integrations', {})).status, 403);
    assert.ok(!JSON.stringify(await t.api.get('/tokens')).includes(created.token ?? '-'));
    assert.equal((await t.api.call('POST', '/tokens', { name: 'x', role: 'root' })).status, 400);
  });

  it('revokes a token: refused right after; unknown id 404; the last admin token stays', async () => {
    const created = await t.api.post<Shown>('/tokens', { name: 'short-lived', role: 'admin' });
    const client = apiClient(`${t.url}/api/v1`, created.token);
    assert.deepEqual(await client.get('/session'), { role: 'admin' });
    assert.equal((await t.api.call('DELETE', `/tokens/${created.id}`)).status, 204);
    assert.equal((await client.call('GET', '/devices')).status, 401);
    assert.equal((await t.api.call('DELETE', `/tokens/${created.id}`)).status, 404);
    const admins = (await t.api.get<Shown[]>('/tokens')).filter((x) => x.role === 'admin');
    assert.equal(admins.length, 1);
    const last = await t.api.call('DELETE', `/tokens/${admins[0]?.id}`);
    assert.equal(last.status, 409);
    assert.match(last.text, /last admin token/);
  });

  it('a viewer can neither list, create nor revoke tokens', async () => {
    const viewer = apiClient(`${t.url}/api/v1`, VIEWER);
    assert.equal((await viewer.call('GET', '/tokens')).status, 403);
    assert.equal((await viewer.call('POST', '/tokens', { name: 'me', role: 'admin' })).status, 403);
    assert.equal((await viewer.call('DELETE', '/tokens/viewer-1')).status, 403);
    assert.equal((await t.api.get<Shown[]>('/tokens')).length, 3);
  });
});

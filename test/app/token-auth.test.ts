/**
 * TokenAuth on a real SQLite store shared by two instances: a token revoked through one instance
 * is refused by the other once its copy is TOKEN_REFRESH_MS old; known tokens keep working while the store fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TOKEN_REFRESH_MS, TokenAuth, hashToken } from '../../src/app/auth.ts';
import { openStore } from '../../src/store/index.ts';

describe('TokenAuth', () => {
  it('refuses a token revoked on another instance after the refresh interval, and keeps known tokens while the store fails', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-auth-'));
    const store = await openStore({ sqlite: { path: join(dir, 'db.sqlite') } });
    t.after(async () => { await store.close().catch(() => undefined); rmSync(dir, { recursive: true, force: true }); });
    const t0 = 1_000_000;
    const here = new TokenAuth(store);
    const there = new TokenAuth(store);
    await here.init({ CLOUDBRIDGE_ADMIN_TOKEN: 'cb_admin_for_auth_test' }, t0);
    await store.addToken({ id: 'v1', name: 'viewer', role: 'viewer', hash: hashToken('cb_viewer_a'), createdAt: t0 });
    await store.addToken({ id: 'v2', name: 'viewer 2', role: 'viewer', hash: hashToken('cb_viewer_b'), createdAt: t0 });
    await there.reload();
    assert.equal(await there.roleOf('cb_viewer_a', t0), 'viewer');

    assert.equal(await store.deleteToken('v1'), true);
    await here.reload();
    assert.equal(await here.roleOf('cb_viewer_a', t0), null, 'refused at once where it was revoked');
    assert.equal(await there.roleOf('cb_viewer_a', t0 + TOKEN_REFRESH_MS - 1), 'viewer', 'the other instance still has its copy');
    assert.equal(await there.roleOf('cb_viewer_a', t0 + TOKEN_REFRESH_MS), 'viewer', 'this request starts a refresh without waiting for it');
    await there.refreshed();
    assert.equal(await there.roleOf('cb_viewer_a', t0 + TOKEN_REFRESH_MS + 1), null, 'and the next one is refused');

    await store.close();
    assert.equal(await there.roleOf('cb_viewer_b', t0 + 3 * TOKEN_REFRESH_MS), 'viewer', 'a known token works while the store is unavailable');
    await there.refreshed();
    assert.equal(await there.roleOf('cb_viewer_b', t0 + 3 * TOKEN_REFRESH_MS + 1), 'viewer', 'the failed refresh kept the copy');
  });
});

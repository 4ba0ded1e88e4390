/**
 * `cloudbridge token create|list|revoke` against a running instance through its API (--url and
 * --token, or CLOUDBRIDGE_URL and CLOUDBRIDGE_TOKEN), run as a user runs them: the same output as
 * on the store, the instance's audit log naming the token used, and errors that say what to fix.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, TEST_TOKEN, type TestApp } from '../e2e/harness.ts';
import { freePort } from '../peers/free-port.ts';
import { cli, type CliResult } from './run-cli.ts';

/** An environment without a CLOUDBRIDGE_URL or CLOUDBRIDGE_TOKEN of the machine running the tests. */
const env = (more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const e = { ...process.env, ...more };
  if (!('CLOUDBRIDGE_URL' in more)) delete e.CLOUDBRIDGE_URL;
  if (!('CLOUDBRIDGE_TOKEN' in more)) delete e.CLOUDBRIDGE_TOKEN;
  return e;
};

interface TokenRow { id: string; name: string; role: string; createdAt: number }

describe('token create|list|revoke through --url', () => {
  let t: TestApp;
  let ops: string;
  let viewer: string;
  let storeFile: string;
  /** Every output of the CLI in this file, checked for tokens it must not show. */
  const seen: CliResult[] = [];
  const run = async (args: string[], more: NodeJS.ProcessEnv = {}): Promise<CliResult> => {
    const r = await cli(args, { env: env(more) });
    seen.push(r);
    return r;
  };
  const url = (token = ops): string[] => ['--url', t.url, '--token', token];
  const session = async (token: string): Promise<number> => (await t.api.call('GET', '/session', undefined, token)).status;

  before(async () => {
    t = await startTestApp();
    ops = (await t.api.post<{ token: string }>('/tokens', { name: 'ops', role: 'admin' })).token;
    viewer = (await t.api.post<{ token: string }>('/tokens', { name: 'dashboards', role: 'viewer' })).token;
    storeFile = join(t.dir, 'cli.yaml');
    writeFileSync(storeFile, `store: { sqlite: { path: ${join(t.dir, 'cloudbridge.db')} } }\n`);
  });
  after(async () => {
    await t.close();
  });

  it('create prints only the new token, which the instance accepts at once; revoke refuses it at once', async () => {
    const created = await run(['token', 'create', '--name', 'grafana', ...url()]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^cb_[\w-]+\n$/);
    assert.equal(created.stderr, 'viewer token "grafana" created; it is shown only now.\n');
    const token = created.stdout.trim();
    assert.equal(await session(token), 200);
    assert.deepEqual((await t.api.call('GET', '/session', undefined, token)).body, { role: 'viewer' });

    const admin = await run(['token', 'create', '--name', 'deploy', '--role', 'admin', ...url()]);
    assert.equal(admin.code, 0, admin.stderr);
    assert.deepEqual((await t.api.call('GET', '/session', undefined, admin.stdout.trim())).body, { role: 'admin' });

    const taken = await run(['token', 'create', '--name', 'grafana', ...url()]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^error \[CONFLICT\]: a token named "grafana" already exists/);

    const revoked = await run(['token', 'revoke', 'grafana', ...url()]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const id = (await t.api.get<TokenRow[]>('/tokens')).find((r) => r.name === 'deploy')?.id;
    assert.match(revoked.stdout, /^revoked viewer token "grafana" \([0-9a-f-]{36}\)\n$/);
    assert.equal(await session(token), 401, 'refused at once');
    const byId = await run(['token', 'revoke', String(id), ...url()]);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(byId.stdout, `revoked admin token "deploy" (${id})\n`);
    assert.deepEqual((await t.api.get<TokenRow[]>('/tokens')).map((r) => r.name), ['admin (CLOUDBRIDGE_ADMIN_TOKEN)', 'ops', 'dashboards']);
  });

  it('list and revoke answer exactly as on the store; the same errors and exit codes', async () => {
    for (const args of [['token', 'list'], ['token', 'list', '--json']]) {
      const remote = await run([...args, ...url()]);
      const local = await run([...args, '--config', storeFile]);
      assert.equal(remote.code, 0, remote.stderr);
      assert.equal(remote.stdout, local.stdout, `${args.join(' ')}: the same output through --url and on the store`);
    }
    const table = await run(['token', 'list', ...url()]);
    assert.match(table.stdout, /^ID\s+ROLE\s+CREATED\s+NAME\n/);
    assert.match(table.stdout, /\n[0-9a-f-]{36}\s+viewer\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+dashboards\n/);
    const json = JSON.parse((await run(['token', 'list', '--json', ...url()])).stdout) as TokenRow[];
    assert.deepEqual(json, await t.api.get<TokenRow[]>('/tokens'));

    for (const where of [url(), ['--config', storeFile]]) {
      const unknown = await run(['token', 'revoke', 'nobody', ...where]);
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stderr, 'error [NOT_FOUND]: no token has the id or name "nobody"\n');
      const missing = await run(['token', 'revoke', ...where]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /^error: token revoke needs the NAME or ID/);
      const role = await run(['token', 'create', '--name', 'x', '--role', 'root', ...where]);
      assert.equal(role.code, 1);
      assert.match(role.stderr, /--role must be viewer or admin, not "root"/);
    }
  });

  it('the audit log names the token of --token as the actor, never a token', async () => {
    const created = await run(['token', 'create', '--name', 'audited', ...url()]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await run(['token', 'revoke', 'audited', ...url()])).code, 0);
    const entries = await t.api.get<Array<{ actor: string; source: string; action: string; entityKind: string; entityName: string }>>('/audit?kind=token&entity=audited');
    assert.deepEqual(entries.map((e) => [e.source, e.actor, e.action, e.entityName]).sort(), [['api', 'ops', 'create', 'audited'], ['api', 'ops', 'delete', 'audited']]);
    assert.ok(!JSON.stringify(entries).includes(created.stdout.trim()), 'the new token is not in the audit log');
  });

  it('a viewer token is refused, saying an admin token is needed; nothing changes', async () => {
    const manage = 'only an admin token may manage tokens';
    const readOnly = 'this token is read-only (viewer); use an admin token';
    for (const [args, message] of [[['token', 'list'], manage], [['token', 'revoke', 'ops'], manage], [['token', 'create', '--name', 'sneaky', '--role', 'admin'], readOnly]] as const) {
      const r = await run([...args, ...url(viewer)]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `error [FORBIDDEN]: ${message} (--token or CLOUDBRIDGE_TOKEN)\n`);
    }
    assert.deepEqual((await t.api.get<TokenRow[]>('/tokens')).map((r) => r.name), ['admin (CLOUDBRIDGE_ADMIN_TOKEN)', 'ops', 'dashboards']);
  });

  it('a URL where nothing listens, a token the instance does not know, no token: errors that name the fix', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const refused = await run(['token', 'list', '--url', closed, '--token', ops]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `error: cannot reach Cloudbridge at ${closed} (ECONNREFUSED): check --url (or CLOUDBRIDGE_URL) and that it runs\n`);
    const notUrl = await run(['token', 'list', '--url', 'cloudbridge:8080', '--token', ops]);
    assert.equal(notUrl.code, 2);
    assert.match(notUrl.stderr, /--url must be the instance's address, like http:\/\/localhost:8080, not "cloudbridge:8080"/);

    const unknown = await run(['token', 'create', '--name', 'x', ...url('cb_not_a_token_of_this_instance')]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, `error [UNAUTHORIZED]: ${t.url} does not accept the token (unknown or revoked there): check --token or CLOUDBRIDGE_TOKEN\n`);
    const noToken = await run(['token', 'list', '--url', t.url]);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /^error: --url needs an API token: --token T or CLOUDBRIDGE_TOKEN \(an admin token: only admins manage tokens\)\n$/);
    const both = await run(['token', 'list', '--url', t.url, '--token', ops, '--config', storeFile]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give either --config \(the store\) or --url \(a running instance\), not both/);
    const stray = await run(['token', 'list', '--token', ops, '--config', storeFile]);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /--token is the API token for --url \(or CLOUDBRIDGE_URL\)/);
  });

  it('CLOUDBRIDGE_URL and CLOUDBRIDGE_TOKEN stand for --url and --token; --config wins over CLOUDBRIDGE_URL', async () => {
    const viaEnv = { CLOUDBRIDGE_URL: t.url, CLOUDBRIDGE_TOKEN: ops };
    const created = await run(['token', 'create', '--name', 'from-env', '--role', 'viewer'], viaEnv);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(await session(created.stdout.trim()), 200);
    const listed = await run(['token', 'list', '--json'], viaEnv);
    assert.ok((JSON.parse(listed.stdout) as TokenRow[]).some((r) => r.name === 'from-env'));
    const revoked = await run(['token', 'revoke', 'from-env'], viaEnv);
    assert.match(revoked.stdout, /^revoked viewer token "from-env"/);
    const entries = await t.api.get<Array<{ actor: string; entityName: string }>>('/audit?kind=token&entity=from-env');
    assert.deepEqual(entries.map((e) => e.actor), ['ops', 'ops']);

    const store = await run(['token', 'create', '--name', 'on-store', '--config', storeFile], { CLOUDBRIDGE_URL: 'http://127.0.0.1:1' });
    assert.equal(store.code, 0, store.stderr);
    const storeEntries = await t.api.get<Array<{ actor: string }>>('/audit?kind=token&entity=on-store');
    assert.deepEqual(storeEntries.map((e) => e.actor), ['cli'], 'made on the store, not through CLOUDBRIDGE_URL');
    const envUrlBadToken = await run(['token', 'list'], { CLOUDBRIDGE_URL: t.url, CLOUDBRIDGE_TOKEN: viewer });
    assert.equal(envUrlBadToken.code, 1);
    assert.match(envUrlBadToken.stderr, /FORBIDDEN/);
  });

  it('no output shows a token other than the one it creates', () => {
    for (const r of seen) {
      for (const secret of [ops, viewer, TEST_TOKEN]) assert.ok(!`${r.stdout}${r.stderr}`.includes(secret), 'an existing token was printed');
    }
    assert.ok(seen.length > 30);
  });
});

/**
 * The commands that work on a store (token, integrations, converters, migrate), run as a user runs
 * them: against the SQLite file of a running instance, through that instance's API (--url), and
 * on PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TEST_MASTER_KEY, TEST_TOKEN, type TestApp } from '../e2e/harness.ts';
import { admin, prefix, unreachable, URL_ } from '../store/postgres-harness.ts';
import { waitFor } from '../support/wait.ts';
import { cli } from './run-cli.ts';

const SECRET = 'mqtt-Pa55word-never-shown';
/** An environment without the variables the config file's integrations reference. */
const env = (): NodeJS.ProcessEnv => {
  const e = { ...process.env };
  delete e.CB_TEST_AWS_SECRET;
  delete e.CLOUDBRIDGE_URL;
  delete e.CLOUDBRIDGE_TOKEN;
  delete e.CLOUDBRIDGE_MASTER_KEY;
  return e;
};

describe('cloudbridge --version', () => {
  it('prints the package version and the Node version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const args of [['--version'], ['version']]) {
      const r = await cli(args);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `cloudbridge ${pkg.version} (Node ${process.versions.node})`);
    }
  });
});

describe('token: list and revoke without the integrations\' environment, unique names', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'cb-cli-token-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads only the store section; refuses a taken name; revokes by name and by id', async () => {
    const file = join(dir, 'cloudbridge.yaml');
    writeFileSync(file, `store: { sqlite: { path: ${join(dir, 'cb.db')} } }
converters:
  - { name: d, type: uplink, script: "return {deviceName: 'x'};" }
integrations:
  - name: q
    type: aws-sqs
    uplinkConverter: d
    config:
      queueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/q
      accessKeyId: AKIAIOSFODNN7EXAMPLE
      secretAccessKey: \${CB_TEST_AWS_SECRET}
`);
    const created = await cli(['token', 'create', '--name', 'grafana', '--config', file], { env: env() });
    assert.equal(created.code, 0, created.stderr);
    const again = await cli(['token', 'create', '--name', 'grafana', '--role', 'admin', '--config', file], { env: env() });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /CONFLICT.*a token named "grafana" already exists/);
    await cli(['token', 'create', '--name', 'ci', '--config', file], { env: env() });
    const listed = await cli(['token', 'list', '--json', '--config', file], { env: env() });
    assert.equal(listed.code, 0, listed.stderr);
    const tokens = JSON.parse(listed.stdout) as Array<{ id: string; name: string; role: string }>;
    assert.deepEqual(tokens.map((t) => [t.name, t.role]), [['grafana', 'viewer'], ['ci', 'viewer']]);
    assert.ok(!listed.stdout.includes(created.stdout.trim()), 'list never shows a token');

    const byName = await cli(['token', 'revoke', 'grafana', '--config', file], { env: env() });
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stdout, /revoked viewer token "grafana"/);
    const ci = tokens.find((t) => t.name === 'ci');
    assert.equal((await cli(['token', 'revoke', String(ci?.id), '--config', file], { env: env() })).code, 0);
    assert.deepEqual(JSON.parse((await cli(['token', 'list', '--json', '--config', file], { env: env() })).stdout), []);
    const unknown = await cli(['token', 'revoke', 'grafana', '--config', file], { env: env() });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /NOT_FOUND.*no token has the id or name "grafana"/);
    const missing = await cli(['token', 'revoke', '--config', file], { env: env() });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: token revoke needs the NAME or ID/);
  });
});

describe('integrations and converters: the store of a running instance, and the instance through --url', () => {
  let t: TestApp;
  let file: string;
  before(async () => {
    t = await startTestApp({
      yaml: `converters:
  - { name: decoder, type: uplink, script: "return {deviceName: 'x'};" }
integrations:
  - name: broker
    type: mqtt
    uplinkConverter: decoder
    config:
      host: 127.0.0.1
      port: 1883
      clientId: cb-cli-test-${process.pid}
      username: cb
      password: ${SECRET}
      topicFilters: [{ filter: "cb-cli-test/${process.pid}/#", qos: 1 }]
`,
    });
    file = join(t.dir, 'cli.yaml');
    writeFileSync(file, `store: { sqlite: { path: ${join(t.dir, 'cloudbridge.db')} } }\n`);
  });
  after(() => t.close());
  const api = (): string[] => ['--url', t.url, '--token', TEST_TOKEN];

  it('list and show: a table or JSON, the secret as "***"', async () => {
    const list = await cli(['integrations', 'list', '--config', file], { env: env() });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAME\s+TYPE\s+ENABLED\s+STATE\s+UPLINK CONVERTER\s+UPDATED\n/);
    assert.match(list.stdout, /\nbroker\s+mqtt\s+yes\s+-\s+decoder\s+\d{4}-/);
    const shown = await cli(['integrations', 'show', 'broker', '--json', '--config', file], { env: env() });
    assert.equal(shown.code, 0, shown.stderr);
    const view = JSON.parse(shown.stdout) as { name: string; config: { password: string; username: string }; status: unknown };
    assert.equal(view.config.password, '***');
    assert.equal(view.config.username, 'cb');
    assert.equal(view.status, null);
    const text = await cli(['integrations', 'show', 'broker', '--config', file], { env: env() });
    assert.match(text.stdout, /state:\s+- \(not known from the store; use --url/);
    const live = await cli(['integrations', 'show', 'broker', '--json', ...api()], { env: env() });
    assert.equal(live.code, 0, live.stderr);
    assert.equal((JSON.parse(live.stdout) as { status: { state: string } }).status.state, 'RUNNING');
    for (const r of [list, shown, text, live]) assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET));
    const converters = await cli(['converters', 'list', '--config', file], { env: env() });
    assert.match(converters.stdout, /^NAME\s+TYPE\s+LANGUAGE\s+UPDATED\ndecoder\s+uplink\s+javascript\s+\d{4}-/);
    const viaApi = await cli(['converters', 'list', '--json', ...api()], { env: env() });
    assert.deepEqual((JSON.parse(viaApi.stdout) as Array<{ name: string }>).map((c) => c.name), ['decoder']);
  });

  it('token names are unique across the CLI and the API; the API revokes by name too', async () => {
    const token = await cli(['token', 'create', '--name', 'dashboards', '--config', file], { env: env() });
    assert.equal(token.code, 0, token.stderr);
    const taken = await t.api.call('POST', '/tokens', { name: 'dashboards', role: 'viewer' });
    assert.equal(taken.status, 409, 'the API refuses a name the CLI took');
    assert.match(taken.text, /a token named \\"dashboards\\" already exists/);
    assert.equal((await t.api.call('DELETE', '/tokens/dashboards')).status, 204, 'the API revokes by name too');
  });

  it('changes made by the CLI on the store are in the audit log as made by cli, without the token', async () => {
    const created = await cli(['token', 'create', '--name', 'audited', '--config', file], { env: env() });
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await cli(['token', 'revoke', 'audited', '--config', file], { env: env() })).code, 0);
    assert.equal((await cli(['integrations', 'disable', 'broker', '--config', file], { env: env() })).code, 0);
    assert.equal((await cli(['integrations', 'enable', 'broker', '--config', file], { env: env() })).code, 0);
    const entries = await t.api.get<Array<{ actor: string; action: string; entityKind: string; entityName: string }>>('/audit?source=cli');
    const seen = entries.map((e) => [e.actor, e.action, e.entityKind, e.entityName].join(' '));
    for (const expected of ['cli create token audited', 'cli delete token audited', 'cli disable integration broker', 'cli enable integration broker']) {
      assert.ok(seen.includes(expected), `${expected} in ${JSON.stringify(seen)}`);
    }
    assert.ok(!JSON.stringify(entries).includes(created.stdout.trim()), 'the token is never in the audit log');
  });

  it('disable through --url stops it at once; enable in the store waits for the next start, and says so', async () => {
    const off = await cli(['integrations', 'disable', 'broker', ...api()], { env: env() });
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /integration "broker" disabled \(state: STOPPED\)/);
    assert.equal(t.app.manager.find('broker')?.status().state ?? 'STOPPED', 'STOPPED');
    const on = await cli(['integrations', 'enable', 'broker', '--config', file], { env: env() });
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /integration "broker" enabled/);
    assert.match(on.stderr, /a running instance on this store applies it at its next start; give --url/);
    assert.equal((await t.app.store.getIntegration('broker'))?.enabled, true);
    const defining = join(t.dir, 'defining.yaml');
    writeFileSync(defining, `store: { sqlite: { path: ${join(t.dir, 'cloudbridge.db')} } }\nintegrations:\n  - name: other\n  - name: broker\n    config: { password: "\${CB_TEST_AWS_SECRET}" }\n`);
    const noted = await cli(['integrations', 'disable', 'broker', '--config', defining], { env: env() });
    assert.equal(noted.code, 0, noted.stderr);
    assert.match(noted.stderr, /note: \S+defining\.yaml defines "broker" \(integrations\[1\]\): a start or reload with that file sets enabled as written there/);
    const back = await cli(['integrations', 'enable', 'broker', ...api()], { env: env() });
    assert.equal(back.code, 0, back.stderr);
    await waitFor(() => t.app.manager.find('broker')?.status().state === 'RUNNING', 'broker running again after enable through the API', 60_000, 100);
  });

  it('check: with the master key against the store, and through --url; errors name the fix', async () => {
    const noKey = await cli(['integrations', 'check', 'broker', '--config', file], { env: env() });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /no master key \(CLOUDBRIDGE_MASTER_KEY is not set/);
    assert.ok(!existsSync(join(t.dir, 'master.key')), 'the CLI creates no key file');
    const checked = await cli(['integrations', 'check', 'broker', '--config', file], { env: { ...env(), CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY } });
    assert.equal(checked.code, 0, `${checked.stdout}${checked.stderr}`);
    assert.match(checked.stdout, /broker: connection check passed/);
    const viaApi = await cli(['integrations', 'check', 'broker', ...api()], { env: env() });
    assert.equal(viaApi.code, 0, `${viaApi.stdout}${viaApi.stderr}`);
    for (const r of [checked, viaApi]) assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET));
    const unknown = await cli(['integrations', 'show', 'nope', ...api()], { env: env() });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /NOT_FOUND.*integration "nope" not found/);
    const noToken = await cli(['integrations', 'list', '--url', t.url], { env: env() });
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /--url needs an API token: --token T or CLOUDBRIDGE_TOKEN/);
    const badToken = await cli(['integrations', 'list'], { env: { ...env(), CLOUDBRIDGE_URL: t.url, CLOUDBRIDGE_TOKEN: 'cb_wrong' } });
    assert.equal(badToken.code, 1);
    assert.match(badToken.stderr, /UNAUTHORIZED/);
  });
});

describe('migrate', () => {
  it('SQLite: the default ./data/cloudbridge.db of the current directory; each migration once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-cli-migrate-'));
    try {
      const first = await cli(['migrate'], { cwd: dir, env: env() });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^applied 001_init\n/);
      assert.match(first.stdout, new RegExp(`${join(dir, 'data', 'cloudbridge.db')}: schema is now at version \\d+`));
      assert.ok(existsSync(join(dir, 'data', 'cloudbridge.db')));
      const second = await cli(['migrate'], { cwd: dir, env: env() });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /^\S+: schema is up to date \(version \d+\); nothing to apply\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: applies the migrations, then nothing; token commands on the same store', { skip: unreachable ?? false }, async () => {
    const schema = `${prefix}_cli`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    const dir = mkdtempSync(join(tmpdir(), 'cb-cli-pg-'));
    try {
      const url = new URL(URL_);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const file = join(dir, 'pg.yaml');
      writeFileSync(file, `store:\n  postgres:\n    url: "${url.toString()}"\nintegrations:\n  - name: x\n    type: aws-sqs\n    config: { secretAccessKey: "\${CB_TEST_AWS_SECRET}" }\n`);
      const first = await cli(['migrate', '--config', file], { env: env() });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^applied 001_init\n/);
      assert.match(first.stdout, /PostgreSQL [^\s]+: schema is now at version \d+/);
      const tables = await admin.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'api_tokens']);
      assert.equal(tables.rows[0]?.n, 1, 'the tables are in the schema of the URL');
      const second = await cli(['migrate', '--config', file], { env: env() });
      assert.match(second.stdout, /schema is up to date \(version \d+\); nothing to apply/);
      assert.equal((await cli(['token', 'create', '--name', 'ops', '--role', 'admin', '--config', file], { env: env() })).code, 0);
      const dup = await cli(['token', 'create', '--name', 'ops', '--config', file], { env: env() });
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /CONFLICT/);
      const last = await cli(['token', 'revoke', 'ops', '--config', file], { env: env() });
      assert.equal(last.code, 1);
      assert.match(last.stderr, /last admin token: create another admin token first/);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

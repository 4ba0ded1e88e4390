/**
 * `cloudbridge config lint --diff` (docs/configuration.md, "What a change would do") on SQLite and
 * on PostgreSQL: creates, updates with their field paths, declarative deletes, secrets only as
 * "changed"; and after the file is applied, the diff is empty (diff and apply share one plan).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startApp } from '../../src/app/app.ts';
import { parseConfigText } from '../../src/app/config-file.ts';

const BIN = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;
const SERVER = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MASTER_KEY = 'config-diff-test-master-key';
const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: 'cb_diff_admin_token_0123456789', CLOUDBRIDGE_MASTER_KEY: MASTER_KEY };

const OLD_PASSWORD = 'old-Secret-pw-4711';
const NEW_PASSWORD = 'new-Secret-pw-0815';

function integration(name: string, clientId: string, password: string): string {
  return `  - name: ${name}
    type: mqtt
    uplinkConverter: decoder
    enabled: false
    config: { host: 127.0.0.1, port: 1883, clientId: ${clientId}, username: cb, password: "${password}", topicFilters: [{ filter: "diff/${name}/#" }] }
`;
}

const converter = (script: string): string => `converters:\n  - { name: decoder, type: uplink, script: "${script}" }\n`;

const RUNNING = `${converter("return { deviceName: 'd', telemetry: { v: 1 } };")}integrations:\n${integration('a', 'cb-a', OLD_PASSWORD)}${integration('b', 'cb-b', OLD_PASSWORD)}`;
const NEXT = `config: { mode: declarative }\n${converter("return { deviceName: 'd', telemetry: { v: 2 } };")}integrations:\n${integration('a', 'cb-a2', NEW_PASSWORD)}${integration('c', 'cb-c', NEW_PASSWORD)}`;

function lintDiff(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, 'config', 'lint', '--diff', ...args], { encoding: 'utf8', timeout: 60_000, env });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

async function applyFile(storeYaml: string, yaml: string): Promise<void> {
  const app = await startApp({ config: parseConfigText(`${storeYaml}server: { port: 0, host: 127.0.0.1 }\nlogging: { level: silent }\n${yaml}`, env), env, listen: false, logWrite: () => undefined });
  await app.close();
}

/** The diff of NEXT against a store holding RUNNING, then nothing once NEXT is applied. */
async function checkDiff(storeYaml: string, dir: string, target: string[]): Promise<void> {
  await applyFile(storeYaml, RUNNING);
  const next = join(dir, 'next.yaml');
  writeFileSync(next, NEXT);
  const r = lintDiff(next, ...target);
  assert.equal(r.code, 0, r.out);
  const lines = r.out.split('\n').map((l) => l.trim());
  const at = (line: string): number => {
    const i = lines.indexOf(line);
    assert.ok(i >= 0, `"${line}" in:\n${r.out}`);
    return i;
  };
  assert.equal(lines[at('~ update converter "decoder"') + 1], 'script: changed');
  const a = at('~ update integration "a"');
  assert.deepEqual(lines.slice(a + 1, a + 3), ['config.clientId: "cb-a" → "cb-a2"', 'config.password: changed (secret)']);
  at('+ create integration "c"');
  at('- delete integration "b" (not in the file; config.mode is declarative)');
  at('1 to create, 2 to update, 1 to delete, 0 unchanged (config.mode declarative)');
  assert.ok(!r.out.includes(OLD_PASSWORD) && !r.out.includes(NEW_PASSWORD), 'no secret in the diff');

  await applyFile(storeYaml, NEXT);
  const after = lintDiff(next, ...target);
  assert.equal(after.code, 0, after.out);
  assert.match(after.out, /no changes \(3 unchanged; config\.mode declarative\)/, after.out);
}

describe('config lint --diff', () => {
  const admin = new pg.Pool({ connectionString: SERVER, max: 1 });
  const schema = `cb_diff_${randomBytes(4).toString('hex')}`;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cb-diff-'));
    await admin.query(`CREATE SCHEMA ${schema}`);
  });
  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('against a SQLite store named by the running instance\'s config file', async () => {
    const storeYaml = `store: { sqlite: { path: "${join(dir, 'cb.db')}" } }\n`;
    const running = join(dir, 'running.yaml');
    writeFileSync(running, storeYaml);
    await checkDiff(storeYaml, dir, ['--config', running]);
  });

  it('against a PostgreSQL store named by its URL', async () => {
    const url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    await checkDiff(`store: { postgres: { url: "${url}" } }\n`, dir, ['--store', url]);
  });

  it('without the master key the diff is refused with the fix, not guessed', () => {
    const next = join(dir, 'next.yaml');
    writeFileSync(next, NEXT);
    const r = spawnSync(process.execPath, [BIN, 'config', 'lint', '--diff', next, '--store', join(dir, 'cb.db')], { encoding: 'utf8', env: { ...env, CLOUDBRIDGE_MASTER_KEY: '' } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /set CLOUDBRIDGE_MASTER_KEY to the master key the instance runs with/);
  });
});

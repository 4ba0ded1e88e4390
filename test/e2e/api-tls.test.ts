/**
 * HTTPS for the API (`server.tls`) and the warning about plain HTTP on the network: a real HTTPS
 * request verified against the test CA, paths relative to the config file, inline PEM, bad
 * certificates and keys refused naming the field (never printing the key), and API_NOT_ENCRYPTED
 * logged for 0.0.0.0 without TLS but not for 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApp, type App } from '../../src/app/app.ts';
import { loadConfigFile } from '../../src/app/config-file.ts';
import { lintConfig } from '../../src/app/config-lint.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../peers/test-pki.ts';
import { TEST_MASTER_KEY, TEST_TOKEN, waitFor } from './harness.ts';

const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY };

function httpsGet(url: string, ca: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('API over HTTPS (server.tls) and the plain-HTTP warning', () => {
  let pki: TestPki;
  let server: IssuedCert;
  let other: IssuedCert;
  let dir: string;
  const apps: App[] = [];

  /** Writes cloudbridge.yaml with this server section and starts the app from it (as `start --config` does). */
  async function start(serverYaml: string): Promise<{ app: App; logs: string[] }> {
    const sub = mkdtempSync(join(dir, 'app-'));
    const file = join(sub, 'cloudbridge.yaml');
    writeFileSync(file, `store: { sqlite: { path: ${join(sub, 'cb.db')} } }\nlogging: { level: info }\nserver:\n${serverYaml}`);
    const logs: string[] = [];
    const app = await startApp({ config: loadConfigFile(file, env), env, logWrite: (l) => logs.push(l) });
    apps.push(app);
    return { app, logs };
  }

  /** The CONFIG_INVALID a start fails with. */
  async function startError(serverYaml: string): Promise<CloudbridgeError> {
    try {
      await start(serverYaml);
    } catch (err) {
      assert.ok(err instanceof CloudbridgeError, String(err));
      assert.equal(err.code, 'CONFIG_INVALID');
      return err;
    }
    assert.fail('the start did not fail');
  }

  before(async () => {
    pki = await createTestPki();
    server = await pki.issue('cloudbridge', { server: true });
    other = await pki.issue('someone-else', { server: true });
    dir = mkdtempSync(join(tmpdir(), 'cb-tls-'));
    writeFileSync(join(dir, 'server.crt'), server.cert);
    writeFileSync(join(dir, 'server.key'), server.key, { mode: 0o600 });
    writeFileSync(join(dir, 'other.key'), other.key, { mode: 0o600 });
  });

  after(async () => {
    for (const app of apps) await app.close();
    rmSync(dir, { recursive: true, force: true });
    await pki.dispose();
  });

  it('serves the API over HTTPS with cert and key files relative to the config file', async () => {
    const { app } = await start('  port: 0\n  host: 127.0.0.1\n  tls: { cert: ../server.crt, key: ../server.key }\n');
    assert.match(app.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await httpsGet(`${app.url}/health`, pki.ca);
    assert.equal(health.status, 200);
    const session = await httpsGet(`${app.url}/api/v1/session`, pki.ca, TEST_TOKEN);
    assert.deepEqual(JSON.parse(session.body), { role: 'admin' });
    await assert.rejects(fetch(app.url.replace('https:', 'http:') + '/health'), 'plain HTTP is not answered');
  });

  it('takes the certificate and key as inline PEM', async () => {
    const indent = (pem: string): string => pem.trim().split('\n').map((l) => `      ${l}`).join('\n');
    const { app } = await start(`  port: 0\n  host: 127.0.0.1\n  tls:\n    cert: |\n${indent(server.cert)}\n    key: |\n${indent(server.key)}\n`);
    assert.equal((await httpsGet(`${app.url}/health`, pki.ca)).status, 200);
  });

  it('refuses a missing file, text that is no certificate, and a key of another certificate, naming the field and never printing the key', async () => {
    const missing = await startError('  port: 0\n  tls: { cert: nope.crt, key: ../server.key }\n');
    assert.match(missing.message, /^server\.tls\.cert: cannot read .*nope\.crt \(ENOENT\); give the path of a PEM file/);
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    const notCert = await startError(`  port: 0\n  tls: { cert: ${garbage}, key: ../server.key }\n`);
    assert.match(notCert.message, /^server\.tls\.cert: is not a PEM certificate/);
    const notKey = await startError(`  port: 0\n  tls: { cert: ../server.crt, key: ${garbage} }\n`);
    assert.match(notKey.message, /^server\.tls\.key: is not a PEM private key/);
    const mismatch = await startError('  port: 0\n  tls: { cert: ../server.crt, key: ../other.key }\n');
    assert.match(mismatch.message, /^server\.tls\.key: does not belong to the certificate in server\.tls\.cert/);
    const encrypted = join(dir, 'encrypted.key');
    writeFileSync(encrypted, await pki.encryptKey(server.key, 'pass-phrase'));
    const locked = await startError(`  port: 0\n  tls: { cert: ../server.crt, key: ${encrypted} }\n`);
    assert.match(locked.message, /^server\.tls\.key: is encrypted/);
    const keyBody = (pem: string): string => pem.split('\n')[1] ?? pem;
    for (const err of [missing, notCert, notKey, mismatch, locked]) {
      for (const pem of [server.key, other.key]) assert.ok(!JSON.stringify({ m: err.message, d: err.details }).includes(keyBody(pem)), 'no key material in the error');
    }
  });

  it('warns (API_NOT_ENCRYPTED) when listening on every interface without TLS, not on 127.0.0.1 or with TLS', async () => {
    const open = await start('  port: 0\n  host: 0.0.0.0\n');
    const warning = open.logs.find((l) => l.includes('API_NOT_ENCRYPTED'));
    assert.ok(warning, 'the warning is logged');
    assert.match(warning, /"level":40/);
    assert.match(warning, /listens on 0\.0\.0\.0 without TLS/);
    await waitFor(async () => (await open.app.store.listEvents({ types: ['WARNING'] })).some((e) => e.body.code === 'API_NOT_ENCRYPTED'), 'the WARNING event');
    const ready = await (await fetch(`${open.app.url}/ready`)).json() as { ready: boolean; warnings: string[] };
    assert.equal(ready.ready, true);
    assert.match(ready.warnings.join('\n'), /^API_NOT_ENCRYPTED: the API listens on 0\.0\.0\.0 without TLS/m);
    const local = await start('  port: 0\n  host: 127.0.0.1\n');
    assert.ok(!local.logs.some((l) => l.includes('API_NOT_ENCRYPTED')));
    assert.deepEqual((await (await fetch(`${local.app.url}/ready`)).json() as { warnings: string[] }).warnings, []);
    const secure = await start('  port: 0\n  host: 0.0.0.0\n  tls: { cert: ../server.crt, key: ../server.key }\n');
    assert.ok(!secure.logs.some((l) => l.includes('API_NOT_ENCRYPTED')));
  });

  it('takes file: references for the certificate and key', async () => {
    const { app } = await start('  port: 0\n  host: 127.0.0.1\n  tls: { cert: "file:../server.crt", key: "file:../server.key" }\n');
    assert.equal((await httpsGet(`${app.url}/health`, pki.ca)).status, 200);
  });

  it('config lint checks the certificate and key, and warns about plain HTTP on the network', async () => {
    const file = join(dir, 'lint.yaml');
    writeFileSync(file, 'server:\n  tls: { cert: server.crt, key: other.key }\n');
    const mismatch = await lintConfig(file, env);
    assert.equal(mismatch.ok, false);
    assert.deepEqual(mismatch.problems.map((p) => p.field), ['server.tls.key']);
    assert.match(mismatch.problems[0]?.message ?? '', /does not belong to the certificate/);
    writeFileSync(file, 'server:\n  host: 0.0.0.0\n');
    const open = await lintConfig(file, env);
    assert.equal(open.ok, true);
    assert.match(open.warnings.join('\n'), /server\.host: 0\.0\.0\.0 without server\.tls.*API_NOT_ENCRYPTED/);
    writeFileSync(file, 'server:\n  host: 0.0.0.0\n  tls: { cert: server.crt, key: server.key }\n');
    const good = await lintConfig(file, env);
    assert.deepEqual([good.ok, good.warnings], [true, []]);
  });

  it('listens on 127.0.0.1 by default', async () => {
    const { app } = await start('  port: 0\n');
    assert.equal((app.server.server.address() as { address: string }).address, '127.0.0.1');
  });
});

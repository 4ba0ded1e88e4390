/**
 * The API's own certificate (server.tls) is watched like every other credential: served with 5
 * days left, it gives one CREDENTIAL_EXPIRY warning naming `server` and the field (log and WARNING
 * event) and the gauge cloudbridge_credential_expiry_seconds{server="api"}; renewed in place and
 * reloaded (what SIGHUP does), the gauge follows the renewed certificate and nothing more is warned.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApp, type App } from '../../src/app/app.ts';
import { loadConfigFile } from '../../src/app/config-file.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../peers/test-pki.ts';
import { TEST_MASTER_KEY, TEST_TOKEN, waitFor } from './harness.ts';

const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY };
const DAY_S = 86_400;

interface Event { type: string; integrationId: string | null; body: { code?: string; message?: string; credential?: string; server?: string; daysLeft?: number } }

describe('the API certificate (server.tls) is watched for expiry', () => {
  let pki: TestPki;
  let expiring: IssuedCert;
  let renewed: IssuedCert;
  let dir: string;
  let file: string;
  let app: App;
  const logs: string[] = [];

  const install = (issued: IssuedCert): void => {
    writeFileSync(join(dir, 'server.crt'), issued.cert);
    writeFileSync(join(dir, 'server.key'), issued.key, { mode: 0o600 });
  };
  const get = async <T>(url: string): Promise<T> => {
    const res = await app.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    assert.equal(res.statusCode, 200, res.body);
    return (url === '/metrics' ? res.body : res.json()) as T;
  };
  const expiryWarnings = async (): Promise<Event[]> => (await get<Event[]>('/api/v1/events?type=WARNING')).filter((e) => e.body.code === 'CREDENTIAL_EXPIRY');
  /** The gauge's value for the served certificate (seconds), or null. */
  const gauge = async (): Promise<number | null> => {
    const line = (await get<string>('/metrics')).split('\n').find((l) => l.startsWith('cloudbridge_credential_expiry_seconds{server="api",credential="server.tls.cert"}'));
    return line === undefined ? null : Number(line.split(' ').at(-1));
  };

  before(async () => {
    pki = await createTestPki();
    expiring = await pki.issue('cloudbridge-api', { server: true, days: 5 });
    renewed = await pki.issue('cloudbridge-api', { server: true, days: 90 });
    dir = mkdtempSync(join(tmpdir(), 'cb-server-expiry-'));
    file = join(dir, 'cloudbridge.yaml');
    install(expiring);
    writeFileSync(file, `store: { sqlite: { path: ${join(dir, 'cb.db')} } }\nserver:\n  port: 0\n  host: 127.0.0.1\n  tls: { cert: server.crt, key: server.key }\n`);
    app = await startApp({ config: loadConfigFile(file, env), env, logWrite: (l) => logs.push(l) });
  });

  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
    await pki?.dispose();
  });

  it('a certificate with 5 days left: one warning naming server and server.tls.cert, the gauge labelled server="api"', async () => {
    const warnings = await waitFor(async () => {
      const list = await expiryWarnings();
      return list.length > 0 ? list : null;
    }, 'the CREDENTIAL_EXPIRY warning event');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    const [warning] = warnings;
    assert.equal(warning?.integrationId, null);
    assert.deepEqual([warning?.body.server, warning?.body.credential, warning?.body.daysLeft], ['api', 'server.tls.cert', 5]);
    assert.match(warning?.body.message ?? '', /^server: server\.tls\.cert: the certificate "CN=cloudbridge-api" expires on \S+ \(in 5 days\): before then, renew it and replace server\.tls\.cert and server\.tls\.key \(same paths are fine\); `systemctl reload cloudbridge` \(SIGHUP\) serves it without a restart$/);
    assert.ok(logs.some((l) => l.includes('"code":"CREDENTIAL_EXPIRY"') && l.includes('"server":"api"') && l.includes('server.tls.cert')), 'logged with the server label');
    assert.ok(!logs.some((l) => l.includes('BEGIN')), 'no certificate or key material in the log');
    const seconds = await gauge();
    assert.ok(seconds !== null && seconds > 4 * DAY_S && seconds <= 5 * DAY_S, `gauge ${seconds}`);
  });

  it('renewed in place and reloaded: the gauge follows the renewed certificate and nothing more is warned', async () => {
    install(renewed);
    await app.applyConfig(loadConfigFile(file, env));
    assert.ok(logs.some((l) => l.includes('the renewed certificate is served to new connections')), 'the renewal was applied');
    const seconds = await gauge();
    assert.ok(seconds !== null && seconds > 89 * DAY_S && seconds <= 90 * DAY_S, `gauge after the renewal ${seconds}`);
    assert.equal(logs.filter((l) => l.includes('"code":"CREDENTIAL_EXPIRY"')).length, 1, 'no warning about the renewed certificate');
    assert.equal((await expiryWarnings()).length, 1, 'still the one warning event from before the renewal');
  });
});

/**
 * A reload applies a renewed API certificate (server.tls): the files are replaced in place (same
 * paths, new contents, as certbot and cert-manager do), the reload serves the new certificate to
 * new TLS connections while an open keep-alive connection carries on; a broken certificate is
 * refused naming the field (never printing the key) and the current one keeps serving; what only a
 * restart applies (server.tls removed, server.port changed) is logged as a warning naming the field.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { startApp, type App } from '../../src/app/app.ts';
import { loadConfigFile } from '../../src/app/config-file.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../peers/test-pki.ts';
import { TEST_MASTER_KEY, TEST_TOKEN } from './harness.ts';

const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY };

/** The certificate a new TLS connection to `url` is shown (verified against `ca`). */
function peerCertificate(url: string, ca: string): Promise<PeerCertificate> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: 'localhost' }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.on('error', reject);
  });
}

/** GET over `agent`: the status, the certificate of the connection used, and whether it was an open one. */
function get(url: string, agent: Agent): Promise<{ status: number; cn: string; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const cert = (res.socket as unknown as { getPeerCertificate(): PeerCertificate }).getPeerCertificate();
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cn: String(cert.subject.CN), reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;

describe('reload (SIGHUP) with a renewed API certificate (server.tls)', () => {
  let pki: TestPki;
  let certA: IssuedCert;
  let certB: IssuedCert;
  let dir: string;
  let file: string;
  let app: App;
  let agent: Agent;
  const logs: string[] = [];

  /** Writes the config file with this server section. */
  const writeConfig = (server: string): void => writeFileSync(file, `store: { sqlite: { path: ${join(dir, 'cb.db')} } }\nlogging: { level: info }\nserver:\n${server}`);
  const httpsServer = '  port: 0\n  host: 127.0.0.1\n  tls: { cert: server.crt, key: server.key }\n';
  const install = (issued: IssuedCert): void => {
    writeFileSync(join(dir, 'server.crt'), issued.cert);
    writeFileSync(join(dir, 'server.key'), issued.key, { mode: 0o600 });
  };
  /** What `cloudbridge start` does on SIGHUP: re-read the file and apply it. */
  const reload = (): Promise<void> => app.applyConfig(loadConfigFile(file, env));

  before(async () => {
    pki = await createTestPki();
    certA = await pki.issue('cloudbridge-a', { server: true });
    certB = await pki.issue('cloudbridge-b', { server: true });
    dir = mkdtempSync(join(tmpdir(), 'cb-tls-reload-'));
    file = join(dir, 'cloudbridge.yaml');
    install(certA);
    writeConfig(httpsServer);
    app = await startApp({ config: loadConfigFile(file, env), env, logWrite: (l) => logs.push(l) });
    agent = new Agent({ keepAlive: true, maxSockets: 1, ca: pki.ca });
  });

  after(async () => {
    agent?.destroy();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
    await pki?.dispose();
  });

  it('serves the renewed certificate to new connections after a reload; an open keep-alive connection carries on', async () => {
    const first = await get(`${app.url}/health`, agent);
    assert.deepEqual([first.status, first.cn, first.reusedSocket], [200, 'cloudbridge-a', false]);
    assert.equal((await peerCertificate(app.url, pki.ca)).serialNumber, serialOf(certA.cert));

    install(certB);
    await reload();

    const fresh = await peerCertificate(app.url, pki.ca);
    assert.equal(fresh.subject.CN, 'cloudbridge-b');
    assert.equal(fresh.serialNumber, serialOf(certB.cert));
    const open = await get(`${app.url}/health`, agent);
    assert.deepEqual([open.status, open.cn, open.reusedSocket], [200, 'cloudbridge-a', true], 'the open connection was not dropped and keeps the certificate it was set up with');
    assert.ok(logs.some((l) => l.includes('the renewed certificate is served to new connections') && l.includes(new X509Certificate(certB.cert).validToDate.toISOString())), 'the renewal is logged with its expiry');
    assert.ok(!logs.some((l) => l.includes(certB.key.split('\n')[1] ?? certB.key)), 'the key is not logged');
  });

  it('refuses a broken certificate or a key of another certificate naming the field; the renewed certificate keeps serving', async () => {
    writeFileSync(join(dir, 'server.crt'), 'not a certificate');
    const broken = await reload().then(() => assert.fail('the reload was accepted'), (err: unknown) => err);
    assert.ok(broken instanceof CloudbridgeError, String(broken));
    assert.equal(broken.code, 'CONFIG_INVALID');
    assert.match(broken.message, /^server\.tls\.cert: is not a PEM certificate/);

    writeFileSync(join(dir, 'server.crt'), certA.cert);
    const mismatch = await reload().then(() => assert.fail('the reload was accepted'), (err: unknown) => err);
    assert.ok(mismatch instanceof CloudbridgeError, String(mismatch));
    assert.match(mismatch.message, /^server\.tls\.key: does not belong to the certificate in server\.tls\.cert/);
    assert.ok(!JSON.stringify({ m: mismatch.message, d: mismatch.details }).includes(certB.key.split('\n')[1] ?? certB.key), 'no key material in the error');

    const served = await peerCertificate(app.url, pki.ca);
    assert.equal(served.serialNumber, serialOf(certB.cert), 'cert B is still served');
    const health = await get(`${app.url}/health`, new Agent({ ca: pki.ca }));
    assert.equal(health.status, 200, 'the API still answers');
    install(certB);
  });

  it('logs what needs a restart (server.tls removed, server.port changed), naming the field, and keeps serving HTTPS', async () => {
    const port = Number(new URL(app.url).port);
    writeConfig(`  port: ${port === 65535 ? 65534 : port + 1}\n  host: 127.0.0.1\n`);
    logs.length = 0;
    await reload();
    const warnings = logs.filter((l) => l.includes('"level":40'));
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings.find((l) => l.includes('"field":"server.port"')) ?? '', /server\.port changed from 0 to \d+: a reload does not move the listener; restart Cloudbridge to apply it/);
    assert.match(warnings.find((l) => l.includes('"field":"server.tls"')) ?? '', /server\.tls was removed: the API keeps answering HTTPS with the current certificate until a restart/);
    assert.equal((await peerCertificate(app.url, pki.ca)).serialNumber, serialOf(certB.cert));
    writeConfig(httpsServer);
    logs.length = 0;
    await reload();
    assert.deepEqual(logs.filter((l) => l.includes('"level":40')), [], 'the file as started: nothing to warn about');
  });
});

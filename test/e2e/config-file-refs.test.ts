/**
 * File references of the config file (docs/configuration.md, "File references"): a converter's
 * scriptFile and file: certificates and keys, read at start and at every SIGHUP, against a
 * Mosquitto that demands a client certificate; a missing file fails lint and start naming the
 * field and the path, and no error ever quotes a referenced file's content.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../peers/test-pki.ts';
import { spawnCloudbridge, stopAllChildren, TEST_MASTER_KEY, TEST_TOKEN, waitFor } from './harness.ts';

const BIN = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;

const decoder = (key: string): string => `
var data = JSON.parse(String.fromCharCode.apply(String, payload));
return { deviceName: metadata.topic.split('/')[1], deviceType: 'probe', telemetry: { ts: data.ts, values: { ${key}: data.v } } };
`;

function cli(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('config file references: scriptFile and file: certificates', () => {
  let pki: TestPki;
  let broker: MosquittoBroker;
  let device: IssuedCert;
  let publisher: IssuedCert;
  const dirs: string[] = [];
  before(async () => {
    pki = await createTestPki();
    const server = await pki.issue('broker', { server: true });
    device = await pki.issue('cloudbridge');
    publisher = await pki.issue('publisher');
    broker = await startMosquitto({ tls: { ca: pki.ca, ...server, requireCertificate: true } });
  });
  afterEach(() => stopAllChildren());
  after(async () => {
    await broker?.dispose();
    await pki?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A config dir with decoders/sensor.js and certs/ (ca.pem, dev.pem, dev.key); returns it and the config. */
  function configDir(): { dir: string; config: Record<string, unknown> } {
    const dir = mkdtempSync(join(tmpdir(), 'cb-refs-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'decoders'));
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'decoders', 'sensor.js'), decoder('temperature'));
    writeFileSync(join(dir, 'certs', 'ca.pem'), pki.ca);
    writeFileSync(join(dir, 'certs', 'dev.pem'), device.cert);
    writeFileSync(join(dir, 'certs', 'dev.key'), device.key);
    const config = {
      converters: [{ name: 'sensor', type: 'uplink', scriptFile: 'decoders/sensor.js' }],
      integrations: [{
        name: 'plant', type: 'mqtt', uplinkConverter: 'sensor',
        config: {
          host: '127.0.0.1', port: broker.port, clientId: 'cb-refs', cleanSession: false,
          topicFilters: [{ filter: 'refs/+/data', qos: 1 }],
          tls: { enabled: true, ca: 'file:certs/ca.pem', cert: 'file:certs/dev.pem', key: 'file:certs/dev.key' },
        },
      }],
    };
    return { dir, config };
  }

  async function publish(device: string, v: number, ts: number): Promise<void> {
    const client = await mqtt.connectAsync(broker.url, { ca: pki.ca, cert: publisher.cert, key: publisher.key, clientId: `pub-refs-${ts}` });
    await client.publishAsync(`refs/${device}/data`, JSON.stringify({ v, ts }), { qos: 1 });
    await client.endAsync();
  }

  it('starts with scriptFile and file: certificates, runs against Mosquitto with mutual TLS, and applies a changed script file and a renewed certificate on SIGHUP', async () => {
    const { dir, config } = configDir();
    const child = await spawnCloudbridge(dir, config);
    await waitFor(async () => (await child.api.get<{ status: { state: string } }>('/integrations/plant')).status.state === 'RUNNING', 'plant RUNNING over mutual TLS');
    const view = await child.api.get<{ config: { tls: { ca: string; cert: string; key: string } } }>('/integrations/plant');
    assert.equal(view.config.tls.cert, device.cert, 'the certificate is the file\'s content');
    assert.equal(view.config.tls.key, '***', 'the key is a secret like any other');
    const converters = await child.api.get<Array<{ name: string; script: string }>>('/converters');
    assert.equal(converters.find((c) => c.name === 'sensor')?.script, decoder('temperature'));

    await publish('probe-1', 21.5, 1_700_000_000_000);
    await waitFor(async () => (await child.api.get<Record<string, unknown[]>>('/devices/probe-1/telemetry?keys=temperature')).temperature?.length === 1, 'the first point stored');

    writeFileSync(join(dir, 'decoders', 'sensor.js'), decoder('humidity'));
    child.proc.kill('SIGHUP');
    await waitFor(async () => (await child.api.get<Array<{ name: string; script: string }>>('/converters')).find((c) => c.name === 'sensor')?.script === decoder('humidity'), 'the changed script file applied');
    await waitFor(async () => (await child.api.get<{ status: { state: string } }>('/integrations/plant')).status.state === 'RUNNING', 'plant RUNNING again');
    await publish('probe-1', 55, 1_700_000_000_001);
    await waitFor(async () => (await child.api.get<Record<string, unknown[]>>('/devices/probe-1/telemetry?keys=humidity')).humidity?.length === 1, 'the second point stored by the new script');

    const renewed = await pki.issue('cloudbridge');
    writeFileSync(join(dir, 'certs', 'dev.pem'), renewed.cert);
    writeFileSync(join(dir, 'certs', 'dev.key'), renewed.key);
    child.proc.kill('SIGHUP');
    await waitFor(async () => (await child.api.get<{ config: { tls: { cert: string } } }>('/integrations/plant')).config.tls.cert === renewed.cert, 'the renewed certificate applied');
    await waitFor(async () => (await child.api.get<{ status: { state: string } }>('/integrations/plant')).status.state === 'RUNNING', 'plant RUNNING with the renewed certificate');
    await publish('probe-1', 56, 1_700_000_000_002);
    await waitFor(async () => (await child.api.get<Record<string, unknown[]>>('/devices/probe-1/telemetry?keys=humidity')).humidity?.length === 2, 'a point stored over the renewed certificate');
  });

  it('a missing script file or key file fails lint and start, naming the field and the path', () => {
    const { dir, config } = configDir();
    rmSync(join(dir, 'decoders', 'sensor.js'));
    rmSync(join(dir, 'certs', 'dev.key'));
    const file = join(dir, 'cloudbridge.yaml');
    writeFileSync(file, JSON.stringify({ ...config, store: { sqlite: { path: join(dir, 'cb.db') } }, server: { port: 0 } }));
    for (const args of [['config', 'lint', file], ['start', '--config', file]]) {
      const r = cli(...args);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /converters\[0\]\.scriptFile: "decoders\/sensor\.js" \(.*decoders\/sensor\.js\): no such file/, r.out);
      assert.match(r.out, /integrations\[0\]\.config\.tls\.key: "certs\/dev\.key" \(.*certs\/dev\.key\): no such file/, r.out);
    }
  });

  it('never prints a referenced file\'s content: a key file that is no key is refused without it', () => {
    const { dir, config } = configDir();
    const secret = 'not-a-key-but-a-secret-0123456789abcdef';
    writeFileSync(join(dir, 'certs', 'dev.key'), secret);
    const file = join(dir, 'cloudbridge.yaml');
    writeFileSync(file, JSON.stringify({ ...config, store: { sqlite: { path: join(dir, 'cb.db') } } }));
    const r = cli('config', 'lint', file);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /integrations\[0\]\.config\.tls\.key/, r.out);
    assert.doesNotMatch(r.out, new RegExp(secret.slice(0, 20)), 'the key file content is never printed');
    assert.ok(readFileSync(file, 'utf8').includes('file:certs/dev.key'));
  });

  it('both script and scriptFile, or neither, is an error naming the converter', () => {
    const { dir, config } = configDir();
    const file = join(dir, 'cloudbridge.yaml');
    const both = { ...config, converters: [{ name: 'sensor', type: 'uplink', script: 'return {};', scriptFile: 'decoders/sensor.js' }] };
    writeFileSync(file, JSON.stringify(both));
    assert.match(cli('config', 'lint', file).out, /converters\[0\]\.scriptFile: give either script or scriptFile, not both/);
    writeFileSync(file, JSON.stringify({ ...config, converters: [{ name: 'sensor', type: 'uplink' }] }));
    assert.match(cli('config', 'lint', file).out, /converters\[0\]\.script: is required: give script \(the code\) or scriptFile/);
  });
});

/**
 * Credential expiry end to end: a client certificate valid for 5 more days (MQTT mutual TLS on
 * Mosquitto) and a shared access signature expiring in 3 days inside an Azure Service Bus
 * connection string (Azure double) each show in the integration's status as `expiring`, as
 * cloudbridge_credential_expiry_seconds in /metrics and as one CREDENTIAL_EXPIRY warning event
 * (the connector raises none of its own). A thingsboard-gateway forwarder's client certificate
 * gets the same, labelled with the forwarder.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfigText } from '../../src/app/config-file.ts';
import { lintConfig } from '../../src/app/config-lint.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../peers/test-pki.ts';
import { startAzureDouble, type AzureDouble } from '../peers/azure/index.ts';
import { createSasToken } from '../peers/azure/sas.ts';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from './harness.ts';

const DAY = 86_400_000;
const DECODER = 'return { deviceName: "d", telemetry: { v: 1 } };';

interface Credential { credential: string; expiresAt: number; state: string; what: string }
interface Status { state: string; credentials?: Credential[] }
interface Event { type: string; integrationId: string | null; body: { code?: string; message?: string; credential?: string; forwarder?: string } }

function yaml(integration: Record<string, unknown> | null, forwarders: Array<Record<string, unknown>> = [], warnDays = 14): string {
  return stringify({
    server: { port: 0 },
    converters: [{ name: 'decoder', type: 'uplink', script: DECODER }],
    integrations: integration ? [{ uplinkConverter: 'decoder', ...integration }] : [],
    forwarders,
    credentialExpiry: { warnDays },
  });
}

async function metricsOf(t: TestApp): Promise<string> {
  return fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
}

/** The gauge's value for the integration and credential (seconds), or null. */
function expirySeconds(metrics: string, integration: string, credential: string): number | null {
  const line = metrics.split('\n').find((l) => l.startsWith('cloudbridge_credential_expiry_seconds{') && l.includes(`integration="${integration}"`) && l.includes(`credential="${credential}"`));
  return line === undefined ? null : Number(line.split(' ').at(-1));
}

describe('credential expiry (status, metrics, warning)', () => {
  let pki: TestPki;
  let device: IssuedCert;
  let broker: MosquittoBroker;
  let azure: AzureDouble;
  before(async () => {
    pki = await createTestPki();
    const server = await pki.issue('broker', { server: true });
    device = await pki.issue('cloudbridge', { days: 5 });
    broker = await startMosquitto({ tls: { ca: pki.ca, ...server, requireCertificate: true } });
    azure = await startAzureDouble({ serviceBus: { queues: [{ name: 'up', lockDurationMs: 30_000 }] } });
  });
  after(async () => {
    await broker?.dispose();
    await pki?.dispose();
    await azure?.stop();
  });

  it('a client certificate expiring in 5 days: expiring in the status, the gauge, one warning event', async () => {
    const t = await startTestApp({
      yaml: yaml({
        name: 'plant', type: 'mqtt',
        config: { host: 'localhost', port: broker.port, clientId: 'cb-cred', topicFilters: [{ filter: 'x/#', qos: 1 }], tls: { enabled: true, ca: pki.ca, cert: device.cert, key: device.key } },
      }),
    });
    try {
      const status = await waitFor(async () => {
        const s = await t.api.get<Status>('/integrations/plant/status');
        return s.state === 'RUNNING' ? s : null;
      }, 'plant running on mutual TLS');
      const cert = status.credentials?.find((c) => c.credential === 'tls.cert');
      assert.ok(cert, JSON.stringify(status.credentials));
      assert.equal(cert.state, 'expiring');
      assert.match(cert.what, /CN=cloudbridge/);
      assert.ok(cert.expiresAt > Date.now() + 4 * DAY && cert.expiresAt < Date.now() + 6 * DAY);
      assert.equal(status.credentials?.find((c) => c.credential === 'tls.ca')?.state, 'valid');

      const seconds = expirySeconds(await metricsOf(t), 'plant', 'tls.cert');
      assert.ok(seconds !== null && seconds > 4 * 86_400 && seconds < 6 * 86_400, `gauge ${seconds}`);

      const events = await waitFor(async () => {
        const list = await t.api.get<Event[]>('/events?integration=plant&type=WARNING');
        return list.some((e) => e.body.code === 'CREDENTIAL_EXPIRY') ? list : null;
      }, 'the CREDENTIAL_EXPIRY warning');
      assert.deepEqual(events.map((e) => e.body.code), ['CREDENTIAL_EXPIRY'], 'exactly one warning for the one expiring certificate');
      assert.match(events[0]?.body.message ?? '', /^integration "plant": tls\.cert: the certificate "CN=cloudbridge" expires on \S+ \(in 5 days\): before then, put a renewed certificate in tls\.cert \(and its private key in the key field beside it\); Cloudbridge reconnects with it without losing messages$/);
      assert.ok(t.logs.some((l) => l.includes('CREDENTIAL_EXPIRY') && l.includes('tls.cert')), 'logged');
      assert.ok(!t.logs.some((l) => l.includes('BEGIN')), 'no key or certificate material in the log');
    } finally {
      await t.close();
    }
  });

  it('a thingsboard-gateway forwarder whose client certificate expires in 5 days: one warning naming the forwarder, the gauge labelled forwarder', async () => {
    const t = await startTestApp({
      yaml: yaml(null, [{
        name: 'tb', type: 'thingsboard-gateway', integrations: 'all',
        config: { host: '127.0.0.1', port: 1, credentials: { type: 'x509' }, tls: { ca: pki.ca, cert: device.cert, key: device.key } },
      }]),
    });
    try {
      const events = await waitFor(async () => {
        const list = await t.api.get<Event[]>('/events?type=WARNING');
        const found = list.filter((e) => e.body.code === 'CREDENTIAL_EXPIRY');
        return found.length > 0 ? found : null;
      }, 'the forwarder\'s CREDENTIAL_EXPIRY warning');
      assert.equal(events.length, 1);
      assert.equal(events[0]?.integrationId, null);
      assert.equal(events[0]?.body.forwarder, 'tb');
      assert.equal(events[0]?.body.credential, 'tls.cert');
      assert.match(events[0]?.body.message ?? '', /^forwarder "tb": tls\.cert: the certificate "CN=cloudbridge" expires on \S+ \(in 5 days\): before then, issue a new certificate for the gateway device/);
      const line = (await metricsOf(t)).split('\n').find((l) => l.startsWith('cloudbridge_credential_expiry_seconds{forwarder="tb",credential="tls.cert"}'));
      const seconds = Number(line?.split(' ').at(-1));
      assert.ok(seconds > 4 * 86_400 && seconds < 6 * 86_400, `gauge ${line}`);
      assert.ok(t.logs.some((l) => l.includes('CREDENTIAL_EXPIRY') && l.includes('"forwarder":"tb"')), 'logged with the forwarder');
      assert.ok(!t.logs.some((l) => l.includes('BEGIN')), 'no key or certificate material in the log');
    } finally {
      await t.close();
    }
  });

  it('a reload with a larger credentialExpiry.warnDays applies it: the certificate valid for 5 days turns expiring and is warned about', async () => {
    const integration = {
      name: 'plant', type: 'mqtt',
      config: { host: 'localhost', port: broker.port, clientId: 'cb-cred-reload', topicFilters: [{ filter: 'x/#', qos: 1 }], tls: { enabled: true, ca: pki.ca, cert: device.cert, key: device.key } },
    };
    const t = await startTestApp({ yaml: yaml(integration, [], 3) });
    try {
      const before = await waitFor(async () => {
        const s = await t.api.get<Status>('/integrations/plant/status');
        return s.state === 'RUNNING' ? s : null;
      }, 'plant running on mutual TLS');
      assert.equal(before.credentials?.find((c) => c.credential === 'tls.cert')?.state, 'valid', 'warnDays 3: 5 days left is not expiring yet');
      assert.deepEqual((await t.api.get<Event[]>('/events?integration=plant&type=WARNING')).map((e) => e.body.code), []);

      await t.app.applyConfig(parseConfigText(yaml(integration, [], 14), process.env));
      const after = await t.api.get<Status>('/integrations/plant/status');
      assert.equal(after.state, 'RUNNING', 'the integration did not change, so it kept running');
      assert.equal(after.credentials?.find((c) => c.credential === 'tls.cert')?.state, 'expiring', 'warnDays 14 applies');
      const events = await waitFor(async () => {
        const list = await t.api.get<Event[]>('/events?integration=plant&type=WARNING');
        return list.some((e) => e.body.code === 'CREDENTIAL_EXPIRY') ? list : null;
      }, 'the CREDENTIAL_EXPIRY warning after the reload');
      assert.deepEqual(events.map((e) => e.body.credential), ['tls.cert']);
      assert.match(events[0]?.body.message ?? '', /^integration "plant": tls\.cert: the certificate "CN=cloudbridge" expires on \S+ \(in 5 days\)/);
      assert.ok(t.logs.some((l) => l.includes('credentialExpiry.warnDays changed') && l.includes('"warnDays":14') && l.includes('"previous":3')), 'the change is logged');
    } finally {
      await t.close();
    }
  });

  it('config lint warns of the certificates expiring within warnDays, integration and forwarder, naming the field and never the value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-expiry-lint-'));
    try {
      const file = join(dir, 'cloudbridge.yaml');
      writeFileSync(file, yaml({
        name: 'plant', type: 'mqtt',
        config: { host: 'localhost', port: broker.port, topicFilters: [{ filter: 'x/#', qos: 1 }], tls: { enabled: true, ca: pki.ca, cert: device.cert, key: device.key } },
      }, [{ name: 'tb', type: 'thingsboard-gateway', integrations: 'all', config: { host: '127.0.0.1', credentials: { type: 'x509' }, tls: { ca: pki.ca, cert: device.cert, key: device.key } } }]));
      const result = await lintConfig(file, {});
      assert.equal(result.ok, true, JSON.stringify(result.problems));
      const expiring = result.warnings.filter((w) => w.includes('expires on'));
      assert.equal(expiring.length, 2, result.warnings.join('\n'));
      assert.match(expiring[0] ?? '', /^integrations\[0\]\.config: tls\.cert: the certificate "CN=cloudbridge" expires on \S+ \(in 5 days\): before then, put a renewed certificate in tls\.cert/);
      assert.match(expiring[1] ?? '', /^forwarders\[0\]\.config: tls\.cert: the certificate "CN=cloudbridge" expires on \S+ \(in 5 days\): before then, issue a new certificate for the gateway device/);
      assert.ok(!result.warnings.some((w) => w.includes('BEGIN')), 'no certificate material');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a shared access signature in a Service Bus connection string expiring in 3 days (Azure double)', async () => {
    const plain = azure.serviceBus.connectionString();
    const parts = new Map(plain.split(';').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
    const endpoint = parts.get('Endpoint') ?? '';
    const se = Math.floor((Date.now() + 3 * DAY) / 1000);
    const sas = createSasToken(`${endpoint.replace(/\/?$/, '/')}`, parts.get('SharedAccessKeyName') ?? '', parts.get('SharedAccessKey') ?? '', se);
    const connectionString = `Endpoint=${endpoint};SharedAccessSignature=${sas};UseDevelopmentEmulator=true`;
    const t = await startTestApp({ yaml: yaml({ name: 'bus', type: 'azure-service-bus', config: { connectionString, queueName: 'up' } }) });
    try {
      const status = await waitFor(async () => {
        const s = await t.api.get<Status>('/integrations/bus/status');
        return s.state === 'RUNNING' ? s : null;
      }, 'bus running with the SAS token');
      assert.deepEqual(status.credentials?.map((c) => ({ ...c })), [{ credential: 'connectionString', expiresAt: se * 1000, what: 'shared access signature', state: 'expiring' }]);
      const seconds = expirySeconds(await metricsOf(t), 'bus', 'connectionString');
      assert.ok(seconds !== null && seconds > 2.9 * 86_400 && seconds <= 3 * 86_400, `gauge ${seconds}`);
      const events = await waitFor(async () => {
        const list = await t.api.get<Event[]>('/events?integration=bus&type=WARNING');
        return list.find((e) => e.body.code === 'CREDENTIAL_EXPIRY') ?? null;
      }, 'the CREDENTIAL_EXPIRY warning');
      assert.match(events.body.message ?? '', /^integration "bus": connectionString: the shared access signature expires on \S+ \(in 3 days\): before then, generate a new shared access signature and put it in connectionString/);
      assert.ok(!JSON.stringify(events).includes('sig='), 'no signature in the event');
    } finally {
      await t.close();
    }
  });
});

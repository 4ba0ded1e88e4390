/**
 * Credential expiry end to end: a client certificate valid for 5 more days (MQTT mutual TLS on
 * Mosquitto) and a shared access signature expiring in 3 days inside an Azure Service Bus
 * connection string (Azure double) each show in the integration's status as `expiring`, as
 * cloudbridge_credential_expiry_seconds in /metrics and as a CREDENTIAL_EXPIRY warning event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../peers/test-pki.ts';
import { startAzureDouble, type AzureDouble } from '../peers/azure/index.ts';
import { createSasToken } from '../peers/azure/sas.ts';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from './harness.ts';

const DAY = 86_400_000;
const DECODER = 'return { deviceName: "d", telemetry: { v: 1 } };';

interface Credential { credential: string; expiresAt: number; state: string; what: string }
interface Status { state: string; credentials?: Credential[] }
interface Event { type: string; body: { code?: string; message?: string; credential?: string } }

function yaml(integration: Record<string, unknown>): string {
  return stringify({
    converters: [{ name: 'decoder', type: 'uplink', script: DECODER }],
    integrations: [{ uplinkConverter: 'decoder', ...integration }],
    credentialExpiry: { warnDays: 14 },
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
        const found = list.filter((e) => e.body.code === 'CREDENTIAL_EXPIRY');
        return found.length > 0 ? found : null;
      }, 'the CREDENTIAL_EXPIRY warning');
      assert.equal(events.length, 1);
      assert.match(events[0]?.body.message ?? '', /^tls\.cert: the certificate "CN=cloudbridge" expires on .* \(in 5 days\): renew it before then$/);
      assert.ok(t.logs.some((l) => l.includes('CREDENTIAL_EXPIRY') && l.includes('tls.cert')), 'logged');
      assert.ok(!t.logs.some((l) => l.includes('BEGIN')), 'no key or certificate material in the log');
    } finally {
      await t.close();
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
      assert.match(events.body.message ?? '', /^connectionString: the shared access signature expires on .* \(in 3 days\)/);
      assert.ok(!JSON.stringify(events).includes('sig='), 'no signature in the event');
    } finally {
      await t.close();
    }
  });
});

/**
 * Certificate rotation through the config file: a new cert/key written to the file and applied
 * with SIGHUP while messages flow reconnects with the new certificate and loses nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { openStore } from '../../../src/store/index.ts';
import { startAwsIotBroker, SERVICE_IDENTITY, type AwsIotBroker } from '../../peers/aws-iot-broker.ts';
import { spawnCloudbridge, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { appConfig, awsConfig } from './helpers.ts';

interface Status { state: string; counters: { stored: number }; details?: { certificate?: { serialNumber: string } } }
interface Config { integrations: Array<{ config: { credentials: Record<string, string> } }> }
const TOTAL = 3000;

describe('aws-iot-core certificate rotation by config reload', () => {
  let iot: AwsIotBroker;
  let dir: string;
  let child: ChildApp | null = null;
  before(async () => {
    iot = await startAwsIotBroker();
    dir = mkdtempSync(join(tmpdir(), 'cb-aws-reload-'));
  });
  after(async () => {
    await child?.kill('SIGTERM');
    await iot?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new cert and key applied with SIGHUP while messages flow: reconnects with them, every message stored once', async () => {
    child = await spawnCloudbridge(dir, appConfig(await awsConfig(iot, { clientId: 'cb-aws-reload' })));
    const app = child;
    const device = await iot.connect('device-001');
    const publishing = (async () => {
      for (let i = 0; i < TOTAL; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, k) => device.publishAsync('devices/device-001/telemetry', JSON.stringify({ seq: i + k }), { qos: 1 })));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await waitFor(async () => (await app.api.get<Status>('/integrations/iot/status')).counters.stored >= 500, 'first messages stored', 30_000, 20);

    const rotated = await iot.identity(SERVICE_IDENTITY, { days: 400 });
    const file = join(dir, 'cloudbridge.yaml');
    const config = parse(readFileSync(file, 'utf8')) as Config;
    const integration = config.integrations[0];
    assert.ok(integration);
    integration.config.credentials = { ...integration.config.credentials, cert: rotated.cert, key: rotated.key };
    writeFileSync(file, stringify(config));
    app.proc.kill('SIGHUP');
    const serial = new X509Certificate(rotated.cert).serialNumber;
    await waitFor(async () => (await app.api.get<Status>('/integrations/iot/status')).details?.certificate?.serialNumber === serial, 'running with the new certificate', 30_000, 50);
    assert.ok((await app.api.get<Status>('/integrations/iot/status')).counters.stored < TOTAL, 'messages were still flowing during the switch');

    await publishing;
    await device.endAsync();
    await waitFor(async () => (await app.api.get<{ total: number }>('/devices?limit=1')).total >= TOTAL, `all ${TOTAL} devices`, 60_000, 100);
    await new Promise((r) => setTimeout(r, 300));
    const devices = await app.api.get<{ total: number }>('/devices?limit=1');
    assert.equal(devices.total, TOTAL, 'one device per message: nothing lost');
    const status = await app.api.get<Status>('/integrations/iot/status');
    assert.equal(status.state, 'RUNNING');
    const metrics = await app.api.call('GET', '/metrics');
    assert.match(metrics.text, /cloudbridge_certificate_expiry_seconds\{integration="iot",type="aws-iot-core"\} 3\d{7}/, 'about 400 days left');
    await app.kill('SIGTERM');
    child = null;
    const store = await openStore({ sqlite: { path: join(dir, 'cloudbridge.db') } });
    try {
      assert.equal(await store.countTelemetry(), TOTAL, 'one point per message: nothing twice');
    } finally {
      await store.close();
    }
  });
});

/**
 * kill -9 of Cloudbridge mid-stream on the aws-iot-core connector, then restart: every message is
 * stored exactly once. AWS IoT (here the mTLS Mosquitto stand-in) keeps what was not PUBACKed in
 * the persistent session and redelivers it flagged DUP; what was committed but not yet PUBACKed
 * is recognised by its content hash.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { startAwsIotBroker, type AwsIotBroker } from '../../peers/aws-iot-broker.ts';
import { assertExactlyOnce, countStored } from '../../e2e/crash-helpers.ts';
import { spawnCloudbridge, stopAllChildren, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { publishSeq } from '../mqtt/mqtt-test-client.ts';
import { appConfig, awsConfig } from './helpers.ts';

interface Status { counters: { stored: number } }
const TOTAL = 6000;

describe('aws-iot-core crash recovery', () => {
  let iot: AwsIotBroker;
  let dir: string;
  let config: Record<string, unknown>;
  beforeEach(async () => {
    iot = await startAwsIotBroker();
    dir = mkdtempSync(join(tmpdir(), 'cb-aws-crash-'));
    config = appConfig(await awsConfig(iot, { clientId: 'cb-aws-crash' }));
  });
  afterEach(async () => {
    await stopAllChildren();
    await iot.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function finishAndCount(child: ChildApp, publishing: Promise<void>, device: MqttClient): Promise<void> {
    await publishing;
    await device.endAsync();
    await waitFor(async () => (await child.api.get<{ total: number }>('/devices?limit=1')).total >= TOTAL, `all ${TOTAL} devices`, 120_000, 200);
    await new Promise((r) => setTimeout(r, 500));
    await child.kill('SIGTERM');
    await assertExactlyOnce(dir, TOTAL);
  }

  it('kill -9 mid-stream, then restart: every message stored exactly once', async () => {
    let child = await spawnCloudbridge(dir, config);
    const device = await iot.connect('device-001');
    const publishing = publishSeq(device, 'devices/device-001/telemetry', 0, TOTAL, 100, 5);
    await waitFor(async () => (await child.api.get<Status>('/integrations/iot/status')).counters.stored >= 1500, 'first 1500 stored', 60_000, 20)
      .catch(async (err: Error) => {
        const status = await child.api.call('GET', '/integrations/iot/status').then((r) => r.text, () => 'unavailable');
        throw new Error(`${err.message}\nstatus: ${status}\ncloudbridge output:\n${child.output()}\nbroker log:\n${iot.broker.logs().slice(-3000)}`);
      });
    await child.kill('SIGKILL');
    const before = await countStored(dir);
    assert.ok(before >= 1500 && before < TOTAL, `killed mid-stream (stored ${before})`);
    child = await spawnCloudbridge(dir, config);
    await finishAndCount(child, publishing, device);
  });

  it('a crash after a commit but before any PUBACK: the redelivered messages are not stored twice', async () => {
    let child = await spawnCloudbridge(dir, config, { CLOUDBRIDGE_FAULT: 'crash-after-commit:5' });
    const device = await iot.connect('device-001');
    const publishing = publishSeq(device, 'devices/device-001/telemetry', 0, TOTAL, 100, 5);
    await new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
    const before = await countStored(dir);
    assert.ok(before > 0 && before < TOTAL, `crashed with committed but unacknowledged messages (stored ${before})`);
    child = await spawnCloudbridge(dir, config);
    await finishAndCount(child, publishing, device);
  });
});

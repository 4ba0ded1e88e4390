/**
 * aws-iot-core end to end, in-process: mTLS Mosquitto (per-identity ACL) → connector → pipeline →
 * converter sandbox → SQLite, driven and read back through the API as a user would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { startAwsIotBroker, SERVICE_IDENTITY, type AwsIotBroker } from '../../peers/aws-iot-broker.ts';
import { startTestApp, waitFor, type TestApp } from '../../e2e/harness.ts';
import { appConfig, appYaml, awsConfig, TOPIC_DECODER } from './helpers.ts';

interface Status { state: string; counters: { stored: number; duplicates: number }; details?: { certificate?: { serialNumber: string }; certificateExpiresAt?: number } }
interface Event { type: string; body: Record<string, unknown> }

/** Publishes `{seq}` for seq in [from, to) as device-001, QoS 1, at most `window` un-acknowledged. */
async function publishSeq(device: MqttClient, from: number, to: number, window: number, pauseMs = 0): Promise<void> {
  let pending: Array<Promise<unknown>> = [];
  for (let i = from; i < to; i++) {
    pending.push(device.publishAsync('devices/device-001/telemetry', JSON.stringify({ seq: i }), { qos: 1 }));
    if (pending.length >= window) {
      await Promise.all(pending);
      pending = [];
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
  await Promise.all(pending);
}

async function stored(t: TestApp): Promise<number> {
  return (await t.api.get<Status>('/integrations/iot/status')).counters.stored;
}

describe('aws-iot-core end to end over mutual TLS', () => {
  let iot: AwsIotBroker;
  before(async () => { iot = await startAwsIotBroker(); });
  after(async () => { await iot?.dispose(); });

  it('10k messages are stored exactly once', async () => {
    const t = await startTestApp({ yaml: appYaml(await awsConfig(iot, { clientId: 'cb-e2e-10k' })) });
    try {
      const device = await iot.connect('device-001');
      await publishSeq(device, 0, 10_000, 500);
      await device.endAsync();
      await waitFor(async () => (await stored(t)) >= 10_000, '10k stored');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await t.app.store.countTelemetry(), 10_000, 'one point per message: nothing lost, nothing twice');
      assert.equal((await t.app.store.listEntities({ kind: 'DEVICE', limit: 1 })).total, 10_000);
      assert.equal((await t.api.get<Status>('/integrations/iot/status')).state, 'RUNNING');
    } finally {
      await t.close();
    }
  });

  it('refuses an expired certificate at save, and returns the warnings of a questionable config (one for the certificate expiring in 3 days)', async () => {
    const t = await startTestApp({ yaml: appYaml(await awsConfig(iot, { clientId: 'cb-e2e-save' })) });
    try {
      const expired = await iot.identity(SERVICE_IDENTITY, { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-01-02T00:00:00Z') });
      const body = (config: Record<string, unknown>): Record<string, unknown> => ({ name: 'iot2', type: 'aws-iot-core', uplinkConverter: 'decoder', enabled: false, config });
      const refused = await t.api.call('POST', '/integrations', body({ ...await awsConfig(iot, {}, expired) }));
      assert.equal(refused.status, 400, refused.text);
      const error = (refused.body as { error: { code: string; message: string; details: { field: string } } }).error;
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.equal(error.details.field, 'config.credentials.cert');
      assert.match(error.message, /expired on 2020-01-02/);
      assert.ok(!refused.text.includes('PRIVATE KEY'), 'the key is never echoed');
      const soon = await iot.identity(SERVICE_IDENTITY, { days: 3 });
      const saved = await t.api.call('POST', '/integrations', body({ ...await awsConfig(iot, { topicFilters: [{ filter: '#', qos: 1 }] }, soon) }));
      assert.equal(saved.status, 201, saved.text);
      const warnings = (saved.body as { warnings: string[] }).warnings;
      assert.equal(warnings.filter((w) => /expires on/.test(w)).length, 1, warnings.join('\n'));
      assert.ok(warnings.some((w) => /^integration "iot2": credentials\.cert: the certificate "CN=iot-service" expires on \S+ \(in 3 days\): before then, create a new certificate in AWS IoT/.test(w)), warnings.join('\n'));
      assert.ok(warnings.some((w) => /"#" is too broad/.test(w)));
      assert.ok(warnings.some((w) => /does not look like an AWS IoT endpoint/.test(w)));
      assert.equal((saved.body as { config: { credentials: { key: string } } }).config.credentials.key, '***');
    } finally {
      await t.close();
    }
  });

  it('a downlink round trip, and a downlink the ACL denies is marked failed with the reason', async () => {
    const config = await awsConfig(iot, { clientId: 'cb-e2e-down' });
    const t = await startTestApp({ yaml: appYaml(config, { decoder: TOPIC_DECODER, encoder: true }) });
    try {
      const device = await iot.connect('device-007');
      await device.subscribeAsync('commands/device-007/#', { qos: 1 });
      const received = new Promise<{ topic: string; payload: string }>((resolve) => device.on('message', (topic, payload) => resolve({ topic, payload: payload.toString() })));
      await device.publishAsync('devices/device-007/telemetry', JSON.stringify({ seq: 1 }), { qos: 1 });
      await waitFor(async () => (await t.api.call('GET', '/devices/device-007')).status === 200, 'device provisioned');
      const queued = await t.api.call('POST', '/devices/device-007/downlink', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { open: true } });
      assert.equal(queued.status, 202, queued.text);
      assert.deepEqual(await received, { topic: 'commands/device-007/set', payload: JSON.stringify({ method: 'RPC_CALL_FROM_SERVER_TO_DEVICE', params: { open: true } }) });
      const sentId = (queued.body as { id: string }).id;
      await waitFor(async () => (await t.api.get<{ status: string }>(`/downlinks/${sentId}`)).status === 'sent', 'downlink marked sent');
      await device.endAsync();

      const update = await t.api.call('PUT', '/integrations/iot', { ...(appConfig({ ...config, downlinkTopicPattern: 'devices/${deviceName}/config' }, { decoder: TOPIC_DECODER, encoder: true }).integrations as unknown[])[0] as object });
      assert.equal(update.status, 200, update.text);
      await waitFor(async () => (await t.api.get<Status>('/integrations/iot/status')).state === 'RUNNING', 'restarted');
      const denied = await t.api.call('POST', '/devices/device-007/downlink', { msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { open: false } });
      const deniedId = (denied.body as { id: string }).id;
      const failed = await waitFor(async () => {
        const d = await t.api.get<{ status: string; error?: string }>(`/downlinks/${deniedId}`);
        return d.status === 'failed' ? d : null;
      }, 'downlink marked failed');
      assert.match(failed.error ?? '', /^DOWNLINK_FAILED: .*"devices\/device-007\/config": not authorized \(reason code 135\): grant iot:Connect, iot:Subscribe, iot:Receive, iot:Publish/);
    } finally {
      await t.close();
    }
  });

  it('rotating the certificate through the API while messages flow loses nothing and duplicates nothing', async () => {
    const TOTAL = 4000;
    const config = await awsConfig(iot, { clientId: 'cb-e2e-rotate' });
    const t = await startTestApp({ yaml: appYaml(config) });
    try {
      const oldSerial = (await t.api.get<Status>('/integrations/iot/status')).details?.certificate?.serialNumber;
      const device = await iot.connect('device-001');
      const publishing = publishSeq(device, 0, TOTAL, 40, 5);
      await waitFor(async () => (await stored(t)) >= 800, 'first messages stored', 30_000, 20);
      const rotated = await iot.identity(SERVICE_IDENTITY, { days: 400 });
      const body = (appConfig({ ...config, credentials: { ca: iot.ca, ...rotated } }).integrations as unknown[])[0] as object;
      const update = await t.api.call('PUT', '/integrations/iot', body);
      assert.equal(update.status, 200, update.text);
      const afterSwitch = await t.app.store.countTelemetry();
      assert.ok(afterSwitch < TOTAL, `messages were still flowing during the switch (${afterSwitch} stored)`);
      await publishing;
      await device.endAsync();
      await waitFor(async () => (await t.app.store.countTelemetry()) >= TOTAL, `all ${TOTAL} stored`, 60_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await t.app.store.countTelemetry(), TOTAL, 'each message stored exactly once across the switch');
      const status = await t.api.get<Status>('/integrations/iot/status');
      assert.equal(status.state, 'RUNNING');
      assert.notEqual(status.details?.certificate?.serialNumber, oldSerial);
      assert.equal(status.details?.certificate?.serialNumber, new X509Certificate(rotated.cert).serialNumber);
      const events = await t.api.get<Event[]>('/events?integration=iot&type=LIFECYCLE');
      assert.ok(events.some((e) => e.body.event === 'UPDATED' && e.body.success === true), 'UPDATED event');
    } finally {
      await t.close();
    }
  });
});

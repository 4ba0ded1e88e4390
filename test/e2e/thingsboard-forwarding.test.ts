/**
 * Mosquitto → Cloudbridge (a child process, SQLite) → the ThingsBoard double: every telemetry
 * point arrives once and in order per device; a server-side RPC reaches the device's MQTT topic as
 * a downlink and its outcome comes back on v1/gateway/rpc with the RPC's id; a shared-attribute
 * update reaches the device; with the double down for a while the outbox grows and everything
 * arrives in order once it is back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../peers/thingsboard/index.ts';
import { spawnCloudbridge, stopAllChildren, waitFor, type ChildApp } from './harness.ts';
import { publishSeq } from './fixtures.ts';
import { expectedSeqs, forwarderStatus, forwardingConfig, seqsReceived } from './thingsboard-fixtures.ts';

const DEVICES = 5;
const FIRST = 2000;
const DURING_OUTAGE = 600;

describe('Mosquitto → Cloudbridge → ThingsBoard (gateway API double)', () => {
  let broker: MosquittoBroker;
  let tb: ThingsBoardDouble;
  let dir: string;
  let child: ChildApp;
  let device: MqttClient;
  const commands: Array<{ topic: string; body: { method: string; params: Record<string, unknown> } }> = [];

  before(async () => {
    broker = await startMosquitto();
    tb = await startThingsBoardDouble();
    dir = mkdtempSync(join(tmpdir(), 'cb-tb-'));
    child = await spawnCloudbridge(dir, forwardingConfig({ brokerPort: broker.port, tb, clientId: 'cb-tb-e2e' }));
    device = await mqtt.connectAsync(broker.url, { clientId: 'device-side' });
    await device.subscribeAsync('commands/#', { qos: 1 });
    device.on('message', (topic, payload) => commands.push({ topic, body: JSON.parse(payload.toString()) as { method: string; params: Record<string, unknown> } }));
  });
  after(async () => {
    await device.endAsync(true);
    await stopAllChildren();
    await tb.dispose();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`every one of ${FIRST} telemetry points arrives once, in order per device, on devices of the decoder's type`, async () => {
    const pub = await publishSeq(broker.url, (i) => `tb/dev-${i % DEVICES}/up`, 0, FIRST, { window: 100 });
    await pub.endAsync();
    await tb.waitFor(() => Array.from({ length: DEVICES }, (_, d) => seqsReceived(tb, `dev-${d}`).length).every((n) => n >= FIRST / DEVICES), 60_000, 'every point at the double');
    for (let d = 0; d < DEVICES; d++) assert.deepEqual(seqsReceived(tb, `dev-${d}`), expectedSeqs(d, DEVICES, 0, FIRST), `dev-${d}: once each, in order`);
    assert.equal(tb.device('dev-0')?.type, 'thermometer');
    assert.deepEqual(tb.clientAttributes('dev-0'), { model: 'TH-1' });
    assert.equal(tb.telemetry('dev-0').find((p) => p.key === 'seq')?.ts, 1_700_000_000_000, 'the ts the point was stored with');
    await waitFor(async () => (await forwarderStatus(child.api)).outbox.depth === 0, 'outbox empty');
    const status = await forwarderStatus(child.api);
    assert.equal(status.state, 'connected');
    assert.equal(status.counters.deliveredPoints, FIRST * 2, 'temperature and seq of each message');
  });

  it('an RPC from ThingsBoard reaches the device as a downlink, and its outcome comes back with the same id', async () => {
    const reply = tb.rpc('dev-1', 'setInterval', { seconds: 5 }, { timeoutMs: 20_000 });
    const command = await waitFor(() => commands.find((c) => c.topic === 'commands/dev-1' && c.body.method === 'RPC_CALL_FROM_SERVER_TO_DEVICE'), 'the RPC on the device topic');
    assert.equal(command.body.params.method, 'setInterval');
    assert.deepEqual(command.body.params.params, { seconds: 5 });
    const answer = await reply;
    assert.equal(answer.id, command.body.params.id, 'the reply names the RPC it answers');
    assert.equal(answer.device, 'dev-1');
    assert.deepEqual(answer.data, { success: true });
  });

  it('a shared-attribute update reaches the device as an ATTRIBUTES_UPDATED downlink', async () => {
    tb.setSharedAttributes('dev-2', { reportEverySeconds: 30 });
    const command = await waitFor(() => commands.find((c) => c.topic === 'commands/dev-2' && c.body.method === 'ATTRIBUTES_UPDATED'), 'the update on the device topic');
    assert.deepEqual(command.body.params, { reportEverySeconds: 30 });
  });

  it('ThingsBoard down for a while: the outbox grows, intake goes on, and everything arrives in order when it is back', async () => {
    await tb.stop();
    await waitFor(async () => (await forwarderStatus(child.api)).state !== 'connected', 'the forwarder notices the outage');
    const pub = await publishSeq(broker.url, (i) => `tb/dev-${i % DEVICES}/up`, FIRST, FIRST + DURING_OUTAGE, { window: 100 });
    await pub.endAsync();
    const waiting = await waitFor(async () => {
      const s = await forwarderStatus(child.api);
      return s.outbox.depth >= DURING_OUTAGE ? s : null;
    }, 'the outbox holds what arrived during the outage');
    assert.ok((waiting.outbox.lagMs ?? 0) >= 0);
    await tb.start();
    await tb.waitFor(() => Array.from({ length: DEVICES }, (_, d) => seqsReceived(tb, `dev-${d}`).length).every((n) => n >= (FIRST + DURING_OUTAGE) / DEVICES), 60_000, 'the outage backlog at the double');
    for (let d = 0; d < DEVICES; d++) assert.deepEqual(seqsReceived(tb, `dev-${d}`), expectedSeqs(d, DEVICES, 0, FIRST + DURING_OUTAGE), `dev-${d}: in order, once each`);
    await waitFor(async () => (await forwarderStatus(child.api)).outbox.depth === 0, 'outbox empty again');
  });
});

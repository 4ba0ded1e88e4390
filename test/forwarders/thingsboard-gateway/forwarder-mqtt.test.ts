/**
 * The thingsboard-gateway forwarder over a real MQTT broker (Mosquitto stands in for the gateway
 * API's transport: the ThingsBoard rules are tested against the double in test/e2e): telemetry in
 * order per device after `connect`, nothing lost while the broker is down, the back channel
 * turned into downlinks, an RPC that cannot be queued answered with the error, a refused token
 * reported as AUTH_FAILED on accessToken (misconfigured).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type MqttClient } from 'mqtt';
import { systemClock } from '../../../src/core/clock.ts';
import { CloudbridgeError } from '../../../src/core/errors.ts';
import type { ForwarderContext, ForwarderDownlink } from '../../../src/core/forwarder.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { OutboxRow } from '../../../src/store/types.ts';
import { thingsboardGatewayForwarder } from '../../../src/forwarders/thingsboard-gateway/index.ts';
import { freePort } from '../../peers/free-port.ts';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { waitFor } from '../../support/wait.ts';
import { MemoryOutbox, point } from './memory-outbox.ts';

let broker: MosquittoBroker;
let watcher: MqttClient;
const seen: Array<{ topic: string; body: Record<string, unknown> }> = [];

before(async () => {
  broker = await startMosquitto({ users: { gateway: 'secret-token' }, acl: 'user gateway\ntopic readwrite #\n' });
  // A persistent session: after a broker restart, what the forwarder sent before the watcher was
  // back is queued for it instead of lost (the forwarder often reconnects first).
  watcher = connect(broker.url, { username: 'gateway', password: 'secret-token', clientId: 'watcher', clean: false });
  await new Promise((r) => watcher.once('connect', r));
  await watcher.subscribeAsync('v1/gateway/#', { qos: 1 });
  watcher.on('message', (topic, payload) => seen.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
});

after(async () => {
  await watcher.endAsync(true);
  await broker.dispose();
});

function context(outbox: MemoryOutbox, downlink: (device: string, d: ForwarderDownlink) => Promise<void>, warnings: string[] = []): ForwarderContext<OutboxRow> {
  return {
    name: 'tb', outbox,
    devices: async () => [{ name: 'known-1', type: 'thermostat' }],
    downlink,
    appendReply: async (deviceName, id, data) => outbox.append([{ deviceName, deviceType: 'default', entry: { kind: 'rpc-reply', id, data: data as never } }]),
    warn: (code, message) => warnings.push(`${code} ${message}`),
    log: silentLogger, clock: systemClock,
  };
}

/** Mosquitto authenticates with user name and password: basic credentials, as ThingsBoard offers them. */
function config(extra: Record<string, unknown> = {}) {
  return {
    host: '127.0.0.1', port: broker.port, protocolVersion: 5 as const, batchMaxDelayMs: 0,
    credentials: { type: 'basic' as const, username: 'gateway', password: 'secret-token', clientId: `fwd-${Math.random().toString(16).slice(2)}` },
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    ...extra,
  };
}

const telemetry = (device: string): number[] => seen.filter((s) => s.topic === 'v1/gateway/telemetry')
  .flatMap((s) => ((s.body[device] ?? []) as Array<{ values: { v: number } }>).map((p) => p.values.v));

test('known devices are connected at session start; telemetry arrives in order per device and is deleted after PUBACK', async () => {
  seen.length = 0;
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 300; i++) outbox.append([point(`dev-${i % 3}`, 1_000 + i, i)]);
  const f = thingsboardGatewayForwarder.create(config({ batchMaxMessages: 50 }), context(outbox, async () => undefined));
  await f.start();
  await waitFor(() => outbox.rows.length === 0 && telemetry('dev-2').length === 100, 'outbox drained');
  assert.deepEqual(seen[0], { topic: 'v1/gateway/connect', body: { device: 'known-1', type: 'thermostat' } });
  for (const d of [0, 1, 2]) assert.deepEqual(telemetry(`dev-${d}`), Array.from({ length: 100 }, (_, k) => 3 * k + d));
  const status = f.status();
  assert.equal(status.state, 'connected');
  assert.equal(status.counters.deliveredPoints, 300);
  await f.stop();
  assert.equal(f.status().state, 'stopped');
});

test('while the broker is down rows stay in the outbox; after it is back everything arrives in order', async (t) => {
  seen.length = 0;
  const outbox = new MemoryOutbox();
  const f = thingsboardGatewayForwarder.create(config(), context(outbox, async () => undefined));
  // Stopped even when an assertion fails: a forwarder left reconnecting keeps the test process alive.
  t.after(() => f.stop());
  await f.start();
  await broker.stop();
  await waitFor(() => f.status().state !== 'connected', 'forwarder notices the outage');
  for (let i = 0; i < 50; i++) outbox.append([point('dev-x', 2_000 + i, i)]);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(outbox.rows.length, 50, 'nothing deleted while nobody acknowledges');
  await broker.restart();
  await watcher.reconnect();
  await new Promise((r) => watcher.once('connect', r));
  await watcher.subscribeAsync('v1/gateway/#', { qos: 1 });
  await waitFor(() => outbox.rows.length === 0, 'outbox drained after the outage', 20_000);
  await waitFor(() => telemetry('dev-x').length >= 50, 'watcher saw the points');
  assert.deepEqual(telemetry('dev-x'), Array.from({ length: 50 }, (_, k) => k));
});

test('an RPC and a shared-attribute update become downlinks; an RPC that cannot be queued is answered with the error', async () => {
  seen.length = 0;
  const outbox = new MemoryOutbox();
  const downlinks: Array<{ device: string } & ForwarderDownlink> = [];
  const f = thingsboardGatewayForwarder.create(config(), context(outbox, async (device, d) => {
    if (device === 'ghost') throw new CloudbridgeError('NOT_FOUND', 'device "ghost" not found');
    downlinks.push({ device, ...d });
  }));
  await f.start();
  await watcher.publishAsync('v1/gateway/rpc', JSON.stringify({ device: 'dev-1', data: { id: 7, method: 'toggle', params: { pin: 1 } } }), { qos: 1 });
  await watcher.publishAsync('v1/gateway/attributes', JSON.stringify({ device: 'dev-1', data: { interval: 60 } }), { qos: 1 });
  await watcher.publishAsync('v1/gateway/rpc', JSON.stringify({ device: 'ghost', data: { id: 8, method: 'toggle' } }), { qos: 1 });
  await waitFor(() => downlinks.length === 2, 'downlinks queued');
  assert.deepEqual(downlinks[0], {
    device: 'dev-1', msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: { id: 7, method: 'toggle', params: { pin: 1 } },
    metadata: { rpcId: '7', rpcMethod: 'toggle', forwarder: 'tb' },
  });
  assert.deepEqual(downlinks[1], { device: 'dev-1', msgType: 'ATTRIBUTES_UPDATED', msg: { interval: 60 }, metadata: { forwarder: 'tb' } });
  const reply = await waitFor(() => seen.find((s) => s.topic === 'v1/gateway/rpc' && s.body.id === 8), 'failure reply published');
  assert.equal(reply.body.device, 'ghost');
  assert.deepEqual((reply.body.data as { success: boolean }).success, false);
  assert.match(String((reply.body.data as { error: string }).error), /NOT_FOUND/);
  assert.equal(f.status().counters.rpcReceived, 2);
  await f.stop();
});

test('a refused token: AUTH_FAILED naming accessToken, state misconfigured, no secret in the status', async () => {
  const outbox = new MemoryOutbox();
  const f = thingsboardGatewayForwarder.create(config({ credentials: { type: 'basic', username: 'gateway', password: 'wrong-token-value' } }), context(outbox, async () => undefined));
  await f.start();
  const status = f.status();
  assert.equal(status.state, 'misconfigured');
  assert.equal(status.lastError?.code, 'AUTH_FAILED');
  assert.match(status.lastError?.message ?? '', /access token of the gateway device/);
  assert.doesNotMatch(JSON.stringify(status), /wrong-token-value/);
  await f.stop();
});

test('while ThingsBoard is unreachable the retention is applied, with warnings as the outbox fills and rows expire', async () => {
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 9; i++) outbox.append([point('dev-r', 3_000 + i, i)]);
  outbox.expireAnswer = 2;
  const warnings: string[] = [];
  const closedPort = await freePort();
  const f = thingsboardGatewayForwarder.create(
    config({ port: closedPort, retention: { maxAgeHours: 1, maxRows: 10 } }),
    context(outbox, async () => undefined, warnings),
  );
  const before = Date.now();
  await f.start();
  await waitFor(() => warnings.length >= 2, 'retention warnings');
  const call = outbox.expireCalls[0];
  assert.equal(call?.maxRows, 10);
  assert.ok((call?.olderThan ?? 0) >= before - 3_600_000 && (call?.olderThan ?? 0) <= Date.now() - 3_600_000, 'rows older than maxAgeHours');
  assert.match(warnings.join('\n'), /FORWARDER_OUTBOX_EXPIRED 2 outbox rows of forwarder "tb" passed the retention/);
  assert.match(warnings.join('\n'), /FORWARDER_OUTBOX_FILLING the outbox of forwarder "tb" holds 9 rows, 90 %/);
  const status = f.status();
  assert.equal(status.state, 'disconnected');
  assert.equal(status.lastError?.code, 'CONNECTION_FAILED');
  assert.equal(status.outbox.depth, 9);
  await f.stop();
});

/**
 * The double's gateway topics (reference §6.2, §6.3) as a gateway client sees them on MQTT 3.1.1
 * and 5: provisioning, telemetry forms and value typing, refusals, attribute requests, shared
 * attribute pushes and server-side RPC.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { GATEWAY_TOPIC, REASON, startThingsBoardDouble, type ThingsBoardDouble } from './index.ts';
import { VERSIONS, closed, gatewayClient, publishExpectingClose, publishJson, received } from './test-clients.ts';

describe('ThingsBoard double: gateway API', () => {
  let tb: ThingsBoardDouble;
  const clients: MqttClient[] = [];
  const connect = async (version: 4 | 5): Promise<MqttClient> => {
    const client = await gatewayClient(tb, version);
    clients.push(client);
    return client;
  };
  before(async () => { tb = await startThingsBoardDouble(); });
  after(async () => {
    for (const c of clients) c.end(true);
    await tb.dispose();
  });

  for (const v of VERSIONS) {
    it(`provisions a device on v1/gateway/connect with its type, and on first data with type default (MQTT ${v})`, async () => {
      const gw = await connect(v);
      assert.equal(await publishJson(gw, GATEWAY_TOPIC.CONNECT, { device: `Thermo ${v}`, type: 'thermostat' }), 0);
      assert.equal(await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { [`Plain ${v}`]: [{ temperature: 1 }] }), 0);
      assert.equal(tb.device(`Thermo ${v}`)?.type, 'thermostat');
      assert.equal(tb.device(`Thermo ${v}`)?.createdByGateway, tb.gateway.name);
      assert.equal(tb.device(`Plain ${v}`)?.type, 'default');
      const session = tb.sessions().find((s) => s.protocolVersion === v && s.registeredDevices.includes(`Thermo ${v}`));
      assert.deepEqual(session?.registeredDevices.sort(), [`Plain ${v}`, `Thermo ${v}`]);
    });
  }

  it('stores both telemetry forms with ThingsBoard value typing, metadata removed, null skipped', async () => {
    const gw = await connect(5);
    const before = Date.now();
    const code = await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, {
      Typed: [
        { ts: 1000, values: { long: 42, double: 21.5, numericString: '17', decimalString: '3.25', text: 'on', flag: true, json: { a: [1] }, nothing: null }, metadata: { connector: 'c1', receivedTs: 1 } },
        { humidity: 80, metadata: { publishedTs: 2 } },
        { ts: 2000, other: 1 },
      ],
    });
    assert.equal(code, REASON.SUCCESS);
    const points = tb.telemetry('Typed');
    const at1000 = Object.fromEntries(points.filter((p) => p.ts === 1000).map((p) => [p.key, [p.type, p.value]]));
    assert.deepEqual(at1000, {
      long: ['LONG', 42], double: ['DOUBLE', 21.5], numericString: ['LONG', 17], decimalString: ['DOUBLE', 3.25],
      text: ['STRING', 'on'], flag: ['BOOLEAN', true], json: ['JSON', { a: [1] }],
    });
    const serverTimed = points.filter((p) => p.ts !== 1000);
    assert.deepEqual(serverTimed.map((p) => p.key).sort(), ['humidity', 'other', 'ts'], 'ts without values is a plain value at server time');
    for (const p of serverTimed) assert.ok(p.ts >= before && p.ts <= Date.now());
    assert.ok(!points.some((p) => p.key === 'metadata'));
  });

  it('keeps numeric strings as strings when typeCastStrings is off', async () => {
    const strict = await startThingsBoardDouble({ typeCastStrings: false });
    const gw = await gatewayClient(strict, 4);
    await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { D: [{ ts: 1, values: { n: '17' } }] });
    assert.deepEqual(strict.telemetry('D').map((p) => [p.type, p.value]), [['STRING', '17']]);
    gw.end(true);
    await strict.dispose();
  });

  it('skips a device whose telemetry is not an array and stores the others', async () => {
    const gw = await connect(5);
    assert.equal(await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { Good: [{ ts: 5, values: { t: 1 } }], NotArray: { ts: 5, values: { t: 1 } } }), REASON.SUCCESS);
    assert.deepEqual(tb.telemetry('Good').map((p) => p.value), [1]);
    assert.equal(tb.device('NotArray'), undefined);
  });

  it('refuses telemetry with no array and invalid JSON with PUBACK 0x99 on MQTT 5, keeping the connection', async () => {
    const gw = await connect(5);
    assert.equal(await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { OnlyObject: { t: 1 } }), REASON.PAYLOAD_FORMAT_INVALID);
    assert.equal(await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, '{"broken":'), REASON.PAYLOAD_FORMAT_INVALID);
    assert.equal(await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { Elements: [42] }), REASON.PAYLOAD_FORMAT_INVALID);
    assert.ok(gw.connected);
    assert.equal(await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { After: [{ t: 1 }] }), REASON.SUCCESS);
    assert.equal(tb.device('OnlyObject'), undefined);
    assert.ok(tb.refusals().some((r) => r.reasonCode === REASON.PAYLOAD_FORMAT_INVALID && r.protocolVersion === 5));
  });

  it('closes an MQTT 3.1.1 connection on a conversion failure without a PUBACK', async () => {
    const gw = await connect(4);
    const pubacks = tb.counters().pubacksSent;
    assert.equal(await publishExpectingClose(gw, GATEWAY_TOPIC.TELEMETRY, { OnlyObject: { t: 1 } }), 'closed');
    assert.equal(tb.counters().pubacksSent, pubacks);
    assert.equal(tb.device('OnlyObject'), undefined);
  });

  it('stores client attributes and answers attribute requests with value (one key) or values (keys)', async () => {
    const gw = await connect(5);
    const responses = received(gw, GATEWAY_TOPIC.ATTRIBUTES_RESPONSE);
    await gw.subscribeAsync(GATEWAY_TOPIC.ATTRIBUTES_RESPONSE, { qos: 1 });
    assert.equal(await publishJson(gw, GATEWAY_TOPIC.ATTRIBUTES, { Meter: { model: 'M1', serial: 7 } }), REASON.SUCCESS);
    assert.deepEqual(tb.clientAttributes('Meter'), { model: 'M1', serial: 7 });
    tb.setSharedAttributes('Meter', { interval: 30, mode: 'eco' });
    await publishJson(gw, GATEWAY_TOPIC.ATTRIBUTES_REQUEST, { id: 1, device: 'Meter', client: true, key: 'model' });
    await publishJson(gw, GATEWAY_TOPIC.ATTRIBUTES_REQUEST, { id: 2, device: 'Meter', client: false, keys: ['interval', 'mode', 'missing'] });
    await publishJson(gw, GATEWAY_TOPIC.ATTRIBUTES_REQUEST, { id: 3, device: 'Meter', client: false, key: 'missing' });
    assert.deepEqual(await responses.atLeast(3), [
      { id: 1, device: 'Meter', value: 'M1' },
      { id: 2, device: 'Meter', values: { interval: 30, mode: 'eco' } },
      { id: 3, device: 'Meter' },
    ]);
  });

  it('refuses the docs-page attribute request shape (client as a list), following the server code', async () => {
    const gw = await connect(5);
    assert.equal(await publishJson(gw, GATEWAY_TOPIC.ATTRIBUTES_REQUEST, { id: 9, device: 'Meter', client: ['model'], shared: ['interval'] }), REASON.PAYLOAD_FORMAT_INVALID);
  });

  it('pushes shared attribute updates and deletions only to sessions where the device is registered', async () => {
    const registered = await connect(5);
    const other = await connect(4);
    const pushes = received(registered, GATEWAY_TOPIC.ATTRIBUTES);
    const elsewhere = received(other, GATEWAY_TOPIC.ATTRIBUTES);
    await other.subscribeAsync(GATEWAY_TOPIC.ATTRIBUTES, { qos: 1 });
    await registered.subscribeAsync(GATEWAY_TOPIC.ATTRIBUTES, { qos: 1 });
    await publishJson(registered, GATEWAY_TOPIC.CONNECT, { device: 'Valve' });
    assert.equal(tb.setSharedAttributes('Valve', { open: true }), 1);
    assert.equal(tb.deleteSharedAttributes('Valve', ['open']), 1);
    assert.deepEqual(await pushes.atLeast(2), [{ device: 'Valve', data: { open: true } }, { device: 'Valve', data: { deleted: ['open'] } }]);
    assert.deepEqual(tb.sharedAttributes('Valve'), {});
    await publishJson(registered, GATEWAY_TOPIC.DISCONNECT, { device: 'Valve' });
    assert.equal(tb.setSharedAttributes('Valve', { open: false }), 0, 'no session after v1/gateway/disconnect');
    assert.deepEqual(elsewhere.bodies, []);
  });

  for (const v of VERSIONS) {
    it(`delivers a server-side RPC and resolves it with the device's reply (MQTT ${v})`, async () => {
      const gw = await connect(v);
      await gw.subscribeAsync(GATEWAY_TOPIC.RPC, { qos: 1 });
      gw.on('message', (topic, payload) => {
        if (topic !== GATEWAY_TOPIC.RPC) return;
        const req = JSON.parse(payload.toString()) as { device: string; data: { id: number; method: string; params: { pin: number } } };
        gw.publish(GATEWAY_TOPIC.RPC, JSON.stringify({ device: req.device, id: req.data.id, data: { pin: req.data.params.pin, method: req.data.method } }), { qos: 1 });
      });
      await publishJson(gw, GATEWAY_TOPIC.CONNECT, { device: `Relay ${v}` });
      const first = await tb.rpc(`Relay ${v}`, 'toggle', { pin: 3 }, { timeoutMs: 5000 });
      const second = await tb.rpc(`Relay ${v}`, 'toggle', { pin: 4 }, { timeoutMs: 5000 });
      assert.deepEqual([first.id, first.data], [0, { pin: 3, method: 'toggle' }], 'ids count from 0 per device');
      assert.deepEqual([second.id, second.data], [1, { pin: 4, method: 'toggle' }]);
      assert.equal(first.raw, '{"pin":3,"method":"toggle"}');
    });
  }

  it('sends an RPC to a device once a session registers it, and rejects an unanswered RPC after its timeout', async () => {
    const gw = await connect(5);
    const requests = received(gw, GATEWAY_TOPIC.RPC);
    await publishJson(gw, GATEWAY_TOPIC.ATTRIBUTES, { Silent: { fw: '1.0' } });
    await publishJson(gw, GATEWAY_TOPIC.DISCONNECT, { device: 'Silent' });
    const pending = tb.rpc('Silent', 'reboot', {}, { timeoutMs: 300 });
    const rejected = assert.rejects(pending, /RPC 0 "reboot" to "Silent" timed out after 300 ms/);
    await publishJson(gw, GATEWAY_TOPIC.CONNECT, { device: 'Silent' });
    assert.deepEqual(await requests.atLeast(1), [{ device: 'Silent', data: { id: 0, method: 'reboot', params: {} } }]);
    await rejected;
  });

  it('registers an existing device again when a new session names it (a registration event), and refuses RPC to an unknown device', async () => {
    const first = await connect(4);
    await publishJson(first, GATEWAY_TOPIC.CONNECT, { device: 'Roaming' });
    first.end(true);
    await closed(first);
    const second = await connect(5);
    const registered = tb.waitFor(() => tb.sessions().some((s) => s.protocolVersion === 5 && s.registeredDevices.includes('Roaming')), 5000, 'Roaming registered again');
    second.publish(GATEWAY_TOPIC.CONNECT, JSON.stringify({ device: 'Roaming' }), { qos: 0 });
    await registered;
    assert.equal(tb.devices().filter((d) => d.name === 'Roaming').length, 1);
    await assert.rejects(tb.rpc('Nobody', 'ping'), /no device "Nobody"/);
  });

  it('accepts claims with their defaults', async () => {
    const gw = await connect(4);
    assert.equal(await publishJson(gw, GATEWAY_TOPIC.CLAIM, { Claimed: { secretKey: 's3', durationMs: 60000 }, Other: {} }), 0);
    assert.deepEqual(tb.claims(), [{ device: 'Claimed', secretKey: 's3', durationMs: 60000 }, { device: 'Other', secretKey: '' }]);
    gw.end(true);
    await closed(gw);
  });
});

/**
 * The double's MQTT session as ThingsBoard's transport runs it (reference §6.1): authentication and
 * its refusal codes, gateway-only topics, SUBACK grants, QoS 2 answered as QoS 1, keep-alive expiry,
 * TLS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { connect, connectAsync, type IConnackPacket, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { GATEWAY_TOPIC, REASON, RETURN_CODE_3, startThingsBoardDouble, type ThingsBoardDouble } from './index.ts';
import { gatewayClient, publishExpectingClose, publishJson } from './test-clients.ts';

const refusalCode = (err: unknown): number | undefined => (err as { code?: number }).code;

describe('ThingsBoard double: session', () => {
  let tb: ThingsBoardDouble;
  const clients: MqttClient[] = [];
  before(async () => {
    tb = await startThingsBoardDouble({
      devices: [
        { name: 'Gateway', gateway: true, token: 'gw-token' },
        { name: 'Basic Gateway', gateway: true, basic: { clientId: 'cb-1', username: 'cloudbridge', password: 's3cret' } },
        { name: 'Sensor', token: 'device-token' },
      ],
    });
  });
  after(async () => {
    for (const c of clients) c.end(true);
    await tb.dispose();
  });
  const keep = (c: MqttClient): MqttClient => { clients.push(c); return c; };

  it('refuses an unknown access token with CONNACK 5 on MQTT 3.1.1 and 0x86 on MQTT 5, then closes', async () => {
    const refusedBefore = tb.counters().connectsRefused;
    await assert.rejects(connectAsync(tb.url, { username: 'nope', protocolVersion: 4, reconnectPeriod: 0 }),
      (err) => refusalCode(err) === RETURN_CODE_3.NOT_AUTHORIZED);
    await assert.rejects(connectAsync(tb.url, { username: 'nope', protocolVersion: 5, reconnectPeriod: 0 }),
      (err) => refusalCode(err) === REASON.BAD_USER_NAME_OR_PASSWORD);
    assert.equal(tb.counters().connectsRefused, refusedBefore + 2);
    assert.equal(tb.sessions().length, 0);
  });

  it('refuses a connection without credentials: 0x85 with a client id on MQTT 5, identifier rejected (2) on 3.1.1', async () => {
    await assert.rejects(connectAsync(tb.url, { clientId: 'anonymous', protocolVersion: 5, reconnectPeriod: 0 }),
      (err) => refusalCode(err) === REASON.CLIENT_IDENTIFIER_NOT_VALID);
    await assert.rejects(connectAsync(tb.url, { clientId: 'anonymous', protocolVersion: 4, reconnectPeriod: 0 }),
      (err) => refusalCode(err) === RETURN_CODE_3.IDENTIFIER_REJECTED);
  });

  it('accepts basic MQTT credentials and refuses a wrong password with 0x86', async () => {
    const ok = keep(await connectAsync(tb.url, { clientId: 'cb-1', username: 'cloudbridge', password: 's3cret', protocolVersion: 5, reconnectPeriod: 0 }));
    assert.equal(await publishJson(ok, GATEWAY_TOPIC.CONNECT, { device: 'Via Basic' }), REASON.SUCCESS);
    assert.equal(tb.device('Via Basic')?.createdByGateway, 'Basic Gateway');
    await assert.rejects(connectAsync(tb.url, { clientId: 'cb-1', username: 'cloudbridge', password: 'wrong', protocolVersion: 5, reconnectPeriod: 0 }),
      (err) => refusalCode(err) === REASON.BAD_USER_NAME_OR_PASSWORD);
  });

  it('handles v1/gateway/* only for a gateway device: 0x90 on MQTT 5, a close on 3.1.1', async () => {
    const v5 = keep(await connectAsync(tb.url, { username: 'device-token', protocolVersion: 5, reconnectPeriod: 0 }));
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.TELEMETRY, { X: [{ t: 1 }] }), REASON.TOPIC_NAME_INVALID);
    const v4 = keep(await connectAsync(tb.url, { username: 'device-token', protocolVersion: 4, reconnectPeriod: 0 }));
    assert.equal(await publishExpectingClose(v4, GATEWAY_TOPIC.TELEMETRY, { X: [{ t: 1 }] }), 'closed');
    assert.equal(tb.device('X'), undefined);
  });

  it('grants subscriptions at most QoS 1 and refuses unknown topic filters', async () => {
    const v4 = keep(await gatewayClient(tb, 4));
    const granted = await v4.subscribeAsync({ [GATEWAY_TOPIC.RPC]: { qos: 2 }, [GATEWAY_TOPIC.ATTRIBUTES]: { qos: 0 } });
    assert.deepEqual(granted.map((g) => [g.topic, g.qos]), [[GATEWAY_TOPIC.RPC, 1], [GATEWAY_TOPIC.ATTRIBUTES, 0]]);
    await assert.rejects(v4.subscribeAsync('v1/gateway/#', { qos: 1 }), (err) => {
      const packet = (err as { packet?: { granted?: number[] } }).packet;
      return packet?.granted?.[0] === 0x80;
    });
    const v5 = keep(await gatewayClient(tb, 5));
    await assert.rejects(v5.subscribeAsync('#', { qos: 1 }), (err) => (err as { packet?: { granted?: number[] } }).packet?.granted?.[0] === REASON.TOPIC_FILTER_INVALID);
    assert.deepEqual(tb.sessions().find((s) => s.protocolVersion === 4)?.subscriptions, [{ topic: GATEWAY_TOPIC.RPC, qos: 1 }, { topic: GATEWAY_TOPIC.ATTRIBUTES, qos: 0 }]);
  });

  it('answers a QoS 2 publish with a PUBACK after storing it, as ThingsBoard grants QoS 1', async () => {
    const socket = netConnect(tb.port, '127.0.0.1');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: string[] = [];
    const pubackSeen = new Promise<void>((resolve) => parser.on('packet', (p) => { packets.push(p.cmd); if (p.cmd === 'puback') resolve(); }));
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.write(mqttPacket.generate({ cmd: 'connect', clientId: 'raw', username: 'gw-token', protocolVersion: 4, keepalive: 0, clean: true }));
    socket.write(mqttPacket.generate({ cmd: 'publish', topic: GATEWAY_TOPIC.TELEMETRY, payload: JSON.stringify({ QoS2: [{ t: 2 }] }), qos: 2, messageId: 7, dup: false, retain: false }));
    await pubackSeen;
    socket.destroy();
    assert.deepEqual(packets, ['connack', 'puback']);
    assert.deepEqual(tb.telemetry('QoS2').map((p) => p.value), [2]);
  });

  it('closes a session after 1.5 × keep-alive without packets, and keeps one that pings', async () => {
    const silent = netConnect(tb.port, '127.0.0.1');
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    silent.on('error', () => undefined);
    silent.resume();
    silent.write(mqttPacket.generate({ cmd: 'connect', clientId: 'silent', username: 'gw-token', protocolVersion: 4, keepalive: 1, clean: true }));
    const pinging = keep(await gatewayClient(tb, 4, { keepalive: 1, clientId: 'pinging' }));
    let pings = 0;
    const threePings = new Promise<void>((resolve) => pinging.on('packetreceive', (p) => { if (p.cmd === 'pingresp' && ++pings === 3) resolve(); }));
    await silentClosed;
    await threePings;
    assert.ok(pinging.connected);
    assert.deepEqual(tb.sessions().filter((s) => s.clientId === 'silent'), []);
    assert.equal(tb.sessions().find((s) => s.clientId === 'pinging')?.keepaliveSeconds, 1);
  });

  it('reports sessionPresent as ThingsBoard does (clean false → true) and ends the session on DISCONNECT', async () => {
    for (const clean of [false, true]) {
      const client = connect(tb.url, { username: 'gw-token', clean, clientId: `clean-${clean}`, protocolVersion: 5, reconnectPeriod: 0 });
      const connack = await new Promise<IConnackPacket>((resolve) => client.once('connect', resolve));
      assert.equal(connack.sessionPresent, !clean);
      const sessionEnded = tb.waitFor(() => !tb.sessions().some((s) => s.clientId === `clean-${clean}`), 5000, 'the session to end');
      await client.endAsync();
      await sessionEnded;
    }
  });
});

describe('ThingsBoard double: TLS', () => {
  it('serves MQTT over TLS with a certificate from a throw-away CA', async () => {
    const tb = await startThingsBoardDouble({ tls: true });
    try {
      assert.match(tb.url, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
      const gw = await connectAsync(tb.url, { username: tb.gateway.token, ca: tb.ca, protocolVersion: 5, reconnectPeriod: 0 });
      assert.equal(await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { Secure: [{ t: 1 }] }), REASON.SUCCESS);
      assert.equal(tb.telemetry('Secure').length, 1);
      await gw.endAsync();
      await assert.rejects(connectAsync(tb.url, { username: tb.gateway.token, protocolVersion: 5, reconnectPeriod: 0 }), /certificate/);
    } finally {
      await tb.dispose();
    }
  });
});

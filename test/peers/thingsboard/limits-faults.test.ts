/**
 * The double's limits (device quota, per-device rate limit, payload size) with ThingsBoard's MQTT 5
 * reason codes and MQTT 3.1.1 closes, PUBACK only after acceptance, and the faults outage tests use:
 * stop/start on the same port with the state kept, dropped connections, held PUBACKs, forced refusals.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IDisconnectPacket } from 'mqtt';
import { GATEWAY_TOPIC, REASON, startThingsBoardDouble, type DoubleEvent, type ThingsBoardDoubleOptions, type ThingsBoardDouble } from './index.ts';
import { closed, gatewayClient, publishExpectingClose, publishJson, received } from './test-clients.ts';

async function withDouble(opts: ThingsBoardDoubleOptions, body: (tb: ThingsBoardDouble) => Promise<void>): Promise<void> {
  const tb = await startThingsBoardDouble(opts);
  try {
    await body(tb);
  } finally {
    await tb.dispose();
  }
}

describe('ThingsBoard double: limits', () => {
  it('refuses a publish that would create a device beyond maxDevices: 0x97 on MQTT 5, a close on 3.1.1', () => withDouble({ maxDevices: 2 }, async (tb) => {
    const v5 = await gatewayClient(tb, 5);
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.CONNECT, { device: 'D1' }), REASON.SUCCESS);
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.TELEMETRY, { D2: [{ t: 1 }] }), REASON.SUCCESS);
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.TELEMETRY, { D1: [{ t: 2 }], D3: [{ t: 3 }] }), REASON.QUOTA_EXCEEDED);
    assert.deepEqual(tb.telemetry('D1').map((p) => p.value), [], 'a refused publish stores nothing, not even for existing devices');
    assert.equal(tb.device('D3'), undefined);
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.TELEMETRY, { D1: [{ t: 4 }] }), REASON.SUCCESS, 'existing devices still accepted');
    const v4 = await gatewayClient(tb, 4);
    assert.equal(await publishExpectingClose(v4, GATEWAY_TOPIC.CONNECT, { device: 'D4' }), 'closed');
    assert.deepEqual(tb.refusals().map((r) => [r.reasonCode, r.device, r.protocolVersion]), [[REASON.QUOTA_EXCEEDED, 'D3', 5], [REASON.QUOTA_EXCEEDED, 'D4', 4]]);
    await v5.endAsync();
  }));

  it('rate-limits a device: 0x97 plus v1/gateway/disconnect {device, reason: 151} on MQTT 5, a close on 3.1.1', () => withDouble({ rateLimit: { messages: 2, perMs: 60_000 } }, async (tb) => {
    const v5 = await gatewayClient(tb, 5);
    const notices = received(v5, GATEWAY_TOPIC.DISCONNECT);
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.TELEMETRY, { Fast: [{ t: 1 }] }), REASON.SUCCESS);
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.ATTRIBUTES, { Fast: { a: 1 } }), REASON.SUCCESS);
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.TELEMETRY, { Fast: [{ t: 3 }] }), REASON.QUOTA_EXCEEDED);
    assert.deepEqual(await notices.atLeast(1), [{ device: 'Fast', reason: 151 }]);
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.TELEMETRY, { Slow: [{ t: 1 }] }), REASON.SUCCESS, 'other devices are not limited');
    assert.deepEqual(tb.telemetry('Fast').map((p) => p.value), [1]);
    const v4 = await gatewayClient(tb, 4);
    assert.equal(await publishExpectingClose(v4, GATEWAY_TOPIC.TELEMETRY, { Fast: [{ t: 4 }] }), 'closed');
    await v5.endAsync();
  }));

  it('refuses a payload over maxPayloadBytes: DISCONNECT 0x95 on MQTT 5, a close on 3.1.1', () => withDouble({ maxPayloadBytes: 64 }, async (tb) => {
    const big = { Big: [{ ts: 1, values: { text: 'x'.repeat(100) } }] };
    const v5 = await gatewayClient(tb, 5);
    const disconnect = new Promise<IDisconnectPacket>((resolve) => v5.once('disconnect', resolve));
    v5.publish(GATEWAY_TOPIC.TELEMETRY, JSON.stringify(big), { qos: 1 });
    assert.equal((await disconnect).reasonCode, REASON.PACKET_TOO_LARGE);
    const v4 = await gatewayClient(tb, 4);
    assert.equal(await publishExpectingClose(v4, GATEWAY_TOPIC.TELEMETRY, big), 'closed');
    assert.equal(tb.device('Big'), undefined);
    v5.end(true);
  }));
});

describe('ThingsBoard double: acknowledgements and faults', () => {
  it('sends the PUBACK only after the data is stored; QoS 0 is stored without one', () => withDouble({}, async (tb) => {
    const order: string[] = [];
    tb.events.on('change', (e: DoubleEvent) => { if (e.kind === 'telemetry' || e.kind === 'puback') order.push(e.kind); });
    const gw = await gatewayClient(tb, 4);
    await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { Acked: [{ t: 1 }] });
    assert.deepEqual(order, ['telemetry', 'puback']);
    await gw.publishAsync(GATEWAY_TOPIC.TELEMETRY, JSON.stringify({ Acked: [{ t: 2 }] }), { qos: 0 });
    await tb.waitFor(() => tb.telemetryCount('Acked') === 2 && tb.telemetryCount() === 2, 5000, 'the QoS 0 point');
    assert.equal(tb.counters().pubacksSent, 1);
    assert.equal(tb.counters().publishesReceived, 2);
    await gw.endAsync();
  }));

  it('holds PUBACKs while asked (data stored), then sends them in order; a resend shows up as a duplicate', () => withDouble({}, async (tb) => {
    const gw = await gatewayClient(tb, 5);
    tb.holdPubacks(true);
    let acked = 0;
    const acks = [1, 2].map((t) => publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { Held: [{ ts: t, values: { t } }] }).then((code) => { acked++; return code; }));
    await tb.waitFor(() => tb.telemetryCount('Held') === 2, 5000, 'both points stored');
    assert.equal(acked, 0);
    tb.holdPubacks(false);
    assert.deepEqual(await Promise.all(acks), [REASON.SUCCESS, REASON.SUCCESS]);
    await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { Held: [{ ts: 2, values: { t: 2 } }] });
    assert.equal(tb.telemetry('Held').length, 3, 'every point as received');
    assert.deepEqual(tb.timeseries('Held').map((p) => [p.ts, p.value]), [[1, 1], [2, 2]], 'one per (key, ts)');
    await gw.endAsync();
  }));

  it('refuses the next n publishes with the given reason code, storing nothing', () => withDouble({}, async (tb) => {
    const v5 = await gatewayClient(tb, 5);
    tb.refuseNext(2, REASON.QUOTA_EXCEEDED);
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.TELEMETRY, { R: [{ t: 1 }] }), REASON.QUOTA_EXCEEDED);
    const v4 = await gatewayClient(tb, 4);
    assert.equal(await publishExpectingClose(v4, GATEWAY_TOPIC.TELEMETRY, { R: [{ t: 2 }] }), 'closed');
    assert.equal(await publishJson(v5, GATEWAY_TOPIC.TELEMETRY, { R: [{ t: 3 }] }), REASON.SUCCESS);
    assert.deepEqual(tb.telemetry('R').map((p) => p.value), [3]);
    assert.deepEqual(tb.counters().refusals, { [REASON.QUOTA_EXCEEDED]: 2 });
    await v5.endAsync();
  }));

  it('drops every connection on dropConnections() and accepts new ones', () => withDouble({}, async (tb) => {
    const gw = await gatewayClient(tb, 4);
    const gone = closed(gw);
    tb.dropConnections();
    await gone;
    assert.deepEqual(tb.sessions(), []);
    const again = await gatewayClient(tb, 4);
    assert.equal(tb.sessions().length, 1);
    await again.endAsync();
  }));

  it('stops and starts again on the same port, keeping devices, telemetry and attributes', () => withDouble({}, async (tb) => {
    const gw = await gatewayClient(tb, 5);
    await publishJson(gw, GATEWAY_TOPIC.CONNECT, { device: 'Kept', type: 'meter' });
    await publishJson(gw, GATEWAY_TOPIC.TELEMETRY, { Kept: [{ ts: 1, values: { v: 1 } }] });
    await publishJson(gw, GATEWAY_TOPIC.ATTRIBUTES, { Kept: { fw: 'v2.1', hw: '3' } });
    const gone = closed(gw);
    const port = tb.port;
    await tb.stop();
    await gone;
    await assert.rejects(gatewayClient(tb, 5), /ECONNREFUSED/);
    await tb.start();
    assert.equal(tb.port, port);
    const back = await gatewayClient(tb, 5);
    await publishJson(back, GATEWAY_TOPIC.TELEMETRY, { Kept: [{ ts: 2, values: { v: 2 } }] });
    assert.equal(tb.device('Kept')?.type, 'meter');
    assert.deepEqual(tb.telemetry('Kept').map((p) => p.value), [1, 2]);
    assert.deepEqual(tb.clientAttributes('Kept'), { fw: 'v2.1', hw: 3 }, 'numeric strings cast in attributes too');
    await back.endAsync();
  }));
});

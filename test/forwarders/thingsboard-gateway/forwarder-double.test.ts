/**
 * The thingsboard-gateway forwarder against the ThingsBoard gateway-API double, over MQTT 5 and
 * MQTT 3.1.1: devices provisioned with their type, every point stored once and in order, a
 * refused device (0x97 quota exceeded: the double's device limit) dead-lettered with the reason
 * while the others are delivered, a forced refusal on MQTT 3.1.1 (close-on-error) isolated to its
 * row, a known device over the device limit not stopping the others, credentials of a device that
 * is not a gateway reported (nothing dead-lettered), TLS with the double's CA (and the error when
 * only one side uses TLS), and RPC / shared-attribute pushes turned into downlinks.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../src/core/clock.ts';
import type { ForwarderContext, ForwarderDownlink } from '../../../src/core/forwarder.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { thingsboardGatewayForwarder } from '../../../src/forwarders/thingsboard-gateway/index.ts';
import type { OutboxRow } from '../../../src/store/types.ts';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../../peers/thingsboard/index.ts';
import { waitFor } from '../../support/wait.ts';
import { MemoryOutbox, point } from './memory-outbox.ts';

const doubles: ThingsBoardDouble[] = [];
after(async () => {
  await Promise.all(doubles.map((d) => d.dispose()));
});

async function double(opts: Parameters<typeof startThingsBoardDouble>[0] = {}): Promise<ThingsBoardDouble> {
  const tb = await startThingsBoardDouble(opts);
  doubles.push(tb);
  return tb;
}

function context(outbox: MemoryOutbox, downlinks: Array<{ device: string } & ForwarderDownlink> = [], known: Array<{ name: string; type: string }> = []): ForwarderContext<OutboxRow> {
  return {
    name: 'tb', outbox,
    devices: async () => known,
    downlink: async (device, d) => { downlinks.push({ device, ...d }); },
    appendReply: async () => undefined,
    warn: () => undefined,
    log: silentLogger, clock: systemClock,
  };
}

function config(tb: ThingsBoardDouble, extra: Record<string, unknown> = {}) {
  return {
    host: tb.host, port: tb.port, accessToken: tb.gateway.token, batchMaxDelayMs: 0,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 }, ...extra,
  };
}

const values = (tb: ThingsBoardDouble, device: string): unknown[] => tb.telemetry(device).map((p) => p.value);

for (const protocolVersion of [5, 4] as const) {
  describe(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}`, () => {
    it('provisions the devices with their type and stores every point once, in order', async () => {
      const tb = await double();
      const outbox = new MemoryOutbox();
      for (let i = 0; i < 600; i++) outbox.append([point(`d${i % 4}`, 1_700_000_000_000 + i, i)]);
      const f = thingsboardGatewayForwarder.create(config(tb, { protocolVersion, batchMaxMessages: 100 }), context(outbox));
      await f.start();
      await tb.waitFor(() => [0, 1, 2, 3].every((d) => tb.telemetry(`d${d}`).length === 150), 20_000, 'every point stored');
      for (const d of [0, 1, 2, 3]) assert.deepEqual(values(tb, `d${d}`), Array.from({ length: 150 }, (_, k) => 4 * k + d));
      assert.equal(tb.device('d0')?.type, 'sensor');
      await waitFor(() => outbox.rows.length === 0, 'outbox emptied after the PUBACKs');
      await f.stop();
    });

    it('a device refused with 0x97 (the device limit) goes to the dead letters with the reason; the others are delivered', async () => {
      const tb = await double({ maxDevices: 2 });
      const outbox = new MemoryOutbox();
      for (let i = 0; i < 30; i++) outbox.append([point(['a', 'b', 'c'][i % 3] ?? 'a', 1_700_000_000_000 + i, i)]);
      const f = thingsboardGatewayForwarder.create(config(tb, { protocolVersion, batchMaxMessages: 10 }), context(outbox));
      await f.start();
      await waitFor(() => outbox.rows.length === 0, 'outbox emptied', 20_000);
      await f.stop();
      assert.deepEqual(values(tb, 'a'), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
      assert.deepEqual(values(tb, 'b'), [1, 4, 7, 10, 13, 16, 19, 22, 25, 28]);
      assert.deepEqual(outbox.rejected.map((r) => r.row.deviceName), Array(10).fill('c'), 'the third device is over the limit');
      assert.match(outbox.rejected[0]?.error ?? '', protocolVersion === 5 ? /quota exceeded \(PUBACK reason code 0x97\).*device limit/ : /close-on-error/);
      assert.equal(f.status().counters.rejected, 10);
    });

    it('a row ThingsBoard cannot convert (a ts that is not an integer) is found and dead-lettered; every other row is delivered', async () => {
      const tb = await double();
      const outbox = new MemoryOutbox();
      for (let i = 0; i < 20; i++) outbox.append([point('m', 1_700_000_000_000 + i + (i === 13 ? 0.5 : 0), i)]);
      const f = thingsboardGatewayForwarder.create(config(tb, { protocolVersion, batchMaxMessages: 8 }), context(outbox));
      await f.start();
      await waitFor(() => outbox.rows.length === 0, 'outbox emptied', 20_000);
      await f.stop();
      assert.deepEqual(tb.timeseries('m').map((p) => p.value), Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 13));
      assert.equal(outbox.rejected.length, 1);
      assert.equal(outbox.rejected[0]?.row.seq, 14);
      assert.match(outbox.rejected[0]?.error ?? '', protocolVersion === 5 ? /payload format invalid \(PUBACK reason code 0x99\)/ : /close-on-error/);
    });
  });
}

it('MQTT 5: a device over ThingsBoard\'s rate limit (0x97 after a disconnect notice) is slowed down, not dead-lettered', async () => {
  const tb = await double({ rateLimit: { messages: 5, perMs: 300 } });
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 20; i++) outbox.append([point('busy', 1_700_000_000_000 + i, i)]);
  const f = thingsboardGatewayForwarder.create(config(tb, { batchMaxMessages: 1, maxInFlight: 2 }), context(outbox));
  await f.start();
  await waitFor(() => outbox.rows.length === 0, 'outbox emptied', 30_000);
  await f.stop();
  assert.ok(tb.refusals().length > 0, 'the rate limit was hit');
  assert.deepEqual(outbox.rejected, []);
  assert.deepEqual(tb.timeseries('busy').map((p) => p.value), Array.from({ length: 20 }, (_, i) => i));
});

it('connects over TLS with the CA, and turns RPCs and shared-attribute updates into downlinks', async () => {
  const tb = await double({ tls: true });
  const outbox = new MemoryOutbox();
  outbox.append([point('pump-1', 1_700_000_000_000, 1)]);
  const downlinks: Array<{ device: string } & ForwarderDownlink> = [];
  const f = thingsboardGatewayForwarder.create(config(tb, { tls: { ca: tb.ca } }), context(outbox, downlinks));
  await f.start();
  await tb.waitFor(() => tb.telemetry('pump-1').length === 1, 10_000, 'the point over TLS');
  void tb.rpc('pump-1', 'setSpeed', { rpm: 900 }, { timeoutMs: 5_000 }).catch(() => undefined);
  tb.setSharedAttributes('pump-1', { interval: 5 });
  tb.deleteSharedAttributes('pump-1', ['interval']);
  await waitFor(() => downlinks.length === 3, 'three downlinks');
  const rpc = downlinks.find((d) => d.msgType === 'RPC_CALL_FROM_SERVER_TO_DEVICE');
  assert.deepEqual(rpc?.msg, { id: (rpc?.msg as { id: number }).id, method: 'setSpeed', params: { rpm: 900 } });
  assert.equal(rpc?.metadata.rpcMethod, 'setSpeed');
  assert.equal(rpc?.metadata.forwarder, 'tb');
  assert.deepEqual(downlinks.filter((d) => d.msgType === 'ATTRIBUTES_UPDATED').map((d) => d.msg), [{ interval: 5 }, { deleted: ['interval'] }]);
  assert.equal(f.status().details?.tls, true);
  await f.stop();
});

it('TLS on one side only: the error says to turn tls on or off', async () => {
  const tlsDouble = await double({ tls: true });
  const plainDouble = await double();
  const toTls = thingsboardGatewayForwarder.create(config(tlsDouble), context(new MemoryOutbox()));
  const toPlain = thingsboardGatewayForwarder.create(config(plainDouble, { tls: { ca: tlsDouble.ca } }), context(new MemoryOutbox()));
  try {
    await toTls.start();
    await toPlain.start();
    assert.equal(toTls.status().lastError?.code, 'CONNECTION_FAILED');
    assert.match(toTls.status().lastError?.message ?? '', /closed the connection before accepting it; if it expects TLS on this port, enable tls/);
    assert.equal(toPlain.status().lastError?.code, 'CONNECTION_FAILED');
    assert.match(toPlain.status().lastError?.message ?? '', /if ThingsBoard serves plain MQTT on this port \(1883 by default\), remove tls/);
  } finally {
    await Promise.all([toTls.stop(), toPlain.stop()]);
  }
});

it('MQTT 5: a known device over the device limit, connected when the session starts, does not stop the others', async () => {
  const tb = await double({ maxDevices: 1 });
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 6; i++) outbox.append([point(i % 2 === 0 ? 'a' : 'over', 1_700_000_000_000 + i, i)]);
  const known = [{ name: 'a', type: 'sensor' }, { name: 'over', type: 'sensor' }];
  const f = thingsboardGatewayForwarder.create(config(tb), context(outbox, [], known));
  try {
    await f.start();
    await waitFor(() => outbox.rows.length === 0, 'outbox emptied');
    assert.deepEqual(values(tb, 'a'), [0, 2, 4]);
    assert.deepEqual(outbox.rejected.map((r) => r.row.deviceName), ['over', 'over', 'over']);
    assert.match(outbox.rejected[0]?.error ?? '', /quota exceeded \(PUBACK reason code 0x97\)/);
  } finally {
    await f.stop();
  }
});

it('MQTT 3.1.1: the token of a device that is not a gateway: the closed connection names "Is gateway"', async () => {
  const tb = await double({ devices: [{ name: 'Plain', gateway: false, token: 'plain-token' }] });
  const outbox = new MemoryOutbox();
  const f = thingsboardGatewayForwarder.create(config(tb, { accessToken: 'plain-token', protocolVersion: 4 }), context(outbox, [], [{ name: 'pump-1', type: 'pump' }]));
  try {
    await f.start();
    await waitFor(() => f.status().lastError !== null, 'the session failed');
    assert.equal(f.status().lastError?.code, 'CONNECTION_FAILED');
    assert.match(f.status().lastError?.message ?? '', /closed the connection\. With MQTT 3\.1\.1 .*"Is gateway" unticked/);
  } finally {
    await f.stop();
  }
});

for (const known of [[], [{ name: 'pump-1', type: 'pump' }]]) {
  it(`MQTT 5: the token of a device that is not a gateway: PERMISSION_DENIED on accessToken, nothing dead-lettered (${known.length} known device)`, async () => {
    const tb = await double({ devices: [{ name: 'Plain', gateway: false, token: 'plain-token' }] });
    const outbox = new MemoryOutbox();
    outbox.append([point('pump-1', 1_700_000_000_000, 1)]);
    const f = thingsboardGatewayForwarder.create(config(tb, { accessToken: 'plain-token' }), context(outbox, [], known));
    try {
      await f.start();
      await waitFor(() => f.status().state === 'misconfigured', 'misconfigured');
      assert.equal(f.status().lastError?.code, 'PERMISSION_DENIED');
      assert.match(f.status().lastError?.message ?? '', /is not a gateway\. Tick "Is gateway"/);
      assert.deepEqual(outbox.rejected, []);
      assert.equal(outbox.rows.length, 1);
    } finally {
      await f.stop();
    }
  });
}

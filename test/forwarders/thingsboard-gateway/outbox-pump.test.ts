/**
 * The outbox pump against an in-memory outbox and a scripted link: batching and merging, deletes
 * only after PUBACK, refusals isolated to the device or row (dead letters with the reason) while
 * the rest is delivered, passing refusals retried, and MQTT 3.1.1 close-on-error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../src/core/clock.ts';
import { CloudbridgeError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { OutboxPump } from '../../../src/forwarders/thingsboard-gateway/index.ts';
import { CONNECTS_IN_FLIGHT } from '../../../src/forwarders/thingsboard-gateway/outbox-pump.ts';
import { PublishRefusedError, type GatewayLink } from '../../../src/forwarders/thingsboard-gateway/gateway-session.ts';
import { waitFor } from '../../support/wait.ts';
import { MemoryOutbox, point } from './memory-outbox.ts';

type Verdict = 'ok' | number | 'close';

/** A link that answers each publish with `judge`'s verdict and records what was accepted. */
class ScriptedLink implements GatewayLink {
  open = true;
  accepted: Array<{ topic: string; body: Record<string, unknown> }> = [];
  judge: (topic: string, body: Record<string, unknown>) => Verdict = () => 'ok';

  async publish(topic: string, payload: string): Promise<void> {
    if (!this.open) throw new CloudbridgeError('CONNECTION_FAILED', 'closed');
    const body = JSON.parse(payload) as Record<string, unknown>;
    await new Promise((r) => setImmediate(r));
    const verdict = this.judge(topic, body);
    if (verdict === 'close') {
      this.open = false;
      throw new CloudbridgeError('CONNECTION_FAILED', 'server closed the connection');
    }
    if (typeof verdict === 'number') throw new PublishRefusedError(verdict);
    this.accepted.push({ topic, body });
  }

  telemetry(device: string): number[] {
    return this.accepted.filter((a) => a.topic === 'v1/gateway/telemetry')
      .flatMap((a) => ((a.body[device] ?? []) as Array<{ values: { v: number } }>).map((p) => p.values.v));
  }
}

function pump(outbox: MemoryOutbox, opts: { protocolVersion?: 4 | 5; batch?: number; maxPayloadBytes?: number } = {}) {
  const rejected: string[] = [];
  let delivered = 0;
  const p = new OutboxPump({
    outbox, batchMaxMessages: opts.batch ?? 10, batchMaxDelayMs: 0, maxInFlight: 3, maxPayloadBytes: opts.maxPayloadBytes ?? 65_536, protocolVersion: opts.protocolVersion ?? 5,
    clock: systemClock, log: silentLogger, idlePollMs: 5, retryDelayMs: 5,
    onDelivered: (_rows, points) => { delivered += points; },
    onRejected: (row) => { rejected.push(`${row.deviceName}#${row.seq}`); },
  });
  return { p, rejected, delivered: () => delivered };
}

async function drain(p: OutboxPump, link: ScriptedLink, outbox: MemoryOutbox): Promise<void> {
  const stop = new AbortController();
  const running = p.run(link, stop.signal);
  await waitFor(() => outbox.rows.length === 0, 'outbox drained');
  stop.abort();
  await running;
}

test('rows are merged per device in seq order, connect comes first, and deleted once acknowledged', async () => {
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 25; i++) outbox.append([point(i % 2 ? 'A' : 'B', 1000 + i, i)]);
  const link = new ScriptedLink();
  const { p, delivered } = pump(outbox);
  await drain(p, link, outbox);
  assert.deepEqual(link.telemetry('A'), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23]);
  assert.deepEqual(link.telemetry('B'), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
  assert.deepEqual(link.accepted.filter((a) => a.topic === 'v1/gateway/connect').map((a) => a.body), [{ device: 'B', type: 'sensor' }, { device: 'A', type: 'sensor' }]);
  assert.equal(link.accepted[0]?.topic, 'v1/gateway/connect');
  assert.equal(link.accepted.filter((a) => a.topic === 'v1/gateway/telemetry').length, 3, '25 rows in batches of 10');
  assert.equal(delivered(), 25);
});

test('a device refused with 0x97 (quota exceeded) goes to the dead letters; the other devices are delivered', async () => {
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 12; i++) outbox.append([point(['A', 'B', 'C'][i % 3] ?? 'A', 1000 + i, i)]);
  const link = new ScriptedLink();
  link.judge = (topic, body) => (topic === 'v1/gateway/telemetry' && 'B' in body ? 0x97 : 'ok');
  const { p, rejected } = pump(outbox);
  await drain(p, link, outbox);
  assert.deepEqual(link.telemetry('A'), [0, 3, 6, 9]);
  assert.deepEqual(link.telemetry('C'), [2, 5, 8, 11]);
  assert.deepEqual(link.telemetry('B'), []);
  assert.deepEqual(rejected.sort(), ['B#11', 'B#2', 'B#5', 'B#8'].sort());
  assert.ok(outbox.rejected.every((r) => r.code === 'FORWARD_REFUSED' && /quota exceeded/.test(r.error) && /0x97/.test(r.error)));
});

test('a row refused with 0x99 (payload format invalid) is found by splitting; every other row is delivered', async () => {
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 10; i++) outbox.append([point('A', 1000 + i, i)]);
  const link = new ScriptedLink();
  link.judge = (topic, body) => {
    const points = (body.A ?? []) as Array<{ values: { v: number } }>;
    return topic === 'v1/gateway/telemetry' && points.some((x) => x.values.v === 6) ? 0x99 : 'ok';
  };
  const { p, rejected } = pump(outbox);
  await drain(p, link, outbox);
  assert.deepEqual(link.telemetry('A').sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 7, 8, 9]);
  assert.deepEqual(rejected, ['A#7']);
  assert.match(outbox.rejected[0]?.error ?? '', /payload format invalid.*fix the uplink converter/);
});

test('a passing refusal (0x96 message rate too high) dead-letters nothing: the rows are sent again', async () => {
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 5; i++) outbox.append([point('A', 1000 + i, i)]);
  const link = new ScriptedLink();
  let refusals = 2;
  link.judge = (topic) => (topic === 'v1/gateway/telemetry' && refusals-- > 0 ? 0x96 : 'ok');
  const { p, rejected } = pump(outbox);
  await drain(p, link, outbox);
  assert.deepEqual(link.telemetry('A'), [0, 1, 2, 3, 4]);
  assert.deepEqual(rejected, []);
});

test('a connection lost with publishes in flight deletes nothing unacknowledged; the next session sends it', async () => {
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 30; i++) outbox.append([point('A', 1000 + i, i)]);
  const first = new ScriptedLink();
  let n = 0;
  first.judge = (topic) => (topic === 'v1/gateway/telemetry' && ++n === 2 ? 'close' : 'ok');
  const { p, rejected } = pump(outbox, { protocolVersion: 5 });
  await assert.rejects(p.run(first, new AbortController().signal), /closed/);
  assert.ok(outbox.rows.length >= 10, 'the refused batch stays in the outbox');
  const second = new ScriptedLink();
  await drain(p, second, outbox);
  const all = [...first.telemetry('A'), ...second.telemetry('A')];
  assert.deepEqual([...new Set(all)].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i), 'every point delivered');
  assert.deepEqual(rejected, []);
});

test('MQTT 3.1.1: a row the server closes the connection on is found by halving and dead-lettered', async () => {
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 8; i++) outbox.append([point('A', 1000 + i, i)]);
  const { p, rejected } = pump(outbox, { protocolVersion: 4 });
  const poison = (topic: string, body: Record<string, unknown>): Verdict =>
    topic === 'v1/gateway/telemetry' && ((body.A ?? []) as Array<{ values: { v: number } }>).some((x) => x.values.v === 5) ? 'close' : 'ok';
  const delivered: number[] = [];
  for (let session = 0; session < 12 && outbox.rows.length > 0; session++) {
    const link = new ScriptedLink();
    link.judge = poison;
    const stop = new AbortController();
    const running = p.run(link, stop.signal).catch(() => undefined);
    await waitFor(() => !link.open || outbox.rows.length === 0, 'session ends or outbox drained');
    stop.abort();
    await running;
    delivered.push(...link.telemetry('A'));
  }
  assert.equal(outbox.rows.length, 0);
  assert.deepEqual(rejected, ['A#6']);
  assert.deepEqual([...new Set(delivered)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 6, 7]);
  assert.match(outbox.rejected[0]?.error ?? '', /close-on-error/);
});

test('a batch above maxPayloadBytes is split before it is published; a single row above it goes to the dead letters', async () => {
  const outbox = new MemoryOutbox();
  for (let i = 0; i < 40; i++) outbox.append([point('A', 1000 + i, i)]);
  outbox.append([{ deviceName: 'A', deviceType: 'sensor', entry: { kind: 'uplink', telemetry: [{ ts: 5000, values: { blob: 'x'.repeat(3000) } }], attributes: {} } }]);
  const link = new ScriptedLink();
  const sizes: number[] = [];
  link.judge = (_topic, body) => {
    sizes.push(JSON.stringify(body).length);
    return 'ok';
  };
  const { p, rejected } = pump(outbox, { batch: 40, maxPayloadBytes: 1024 });
  await drain(p, link, outbox);
  assert.ok(Math.max(...sizes) <= 1024, `every publish within 1024 bytes (largest ${Math.max(...sizes)})`);
  assert.deepEqual(link.telemetry('A'), Array.from({ length: 40 }, (_, i) => i));
  assert.deepEqual(rejected, ['A#41']);
  assert.match(outbox.rejected[0]?.error ?? '', /packet too large.*raise ThingsBoard's transport\.mqtt\.netty\.max_payload_size \(env NETTY_MAX_PAYLOAD_SIZE, default 65536\) and the forwarder's maxPayloadBytes/);
});

test('a session start connects every known device, never more than CONNECTS_IN_FLIGHT awaiting their PUBACK at once', async () => {
  const link = new ScriptedLink();
  let pending = 0;
  let peak = 0;
  const publish = link.publish.bind(link);
  link.publish = async (topic, payload) => {
    peak = Math.max(peak, ++pending);
    try {
      await publish(topic, payload);
    } finally {
      pending--;
    }
  };
  const devices = Array.from({ length: 1000 }, (_, i) => ({ name: `dev-${i}`, type: 'sensor' }));
  await pump(new MemoryOutbox()).p.register(link, devices);
  assert.equal(link.accepted.filter((a) => a.topic === 'v1/gateway/connect').length, 1000, 'every device connected');
  assert.equal(peak, CONNECTS_IN_FLIGHT, `at most ${CONNECTS_IN_FLIGHT} in flight (peak ${peak})`);
});

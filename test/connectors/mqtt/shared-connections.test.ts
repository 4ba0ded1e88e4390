/**
 * Several connections per `mqtt` integration on a real Mosquitto: one shared subscription over
 * `connections` client connections, each with its own session and PUBACKs after the commit. What
 * is asserted is what a user sees: every message delivered, none twice except flagged
 * redeliveries, and the status rows of the connections.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { UplinkMessage } from '../../../src/core/model.ts';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { createTestContext, texts } from '../../support/connector-context.ts';
import { startTcpProxy } from '../../support/tcp-proxy.ts';
import { waitFor } from '../../support/wait.ts';
import { createConnector, publishAcrossRestart, publishAll, storedTexts, testClient, uniqueId } from './mqtt-test-client.ts';

/** Payloads delivered more than once, with the dedupe mode of each delivery after the first. */
function repeats(delivered: UplinkMessage[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const out = new Map<string, string[]>();
  for (const m of delivered) {
    const text = Buffer.from(m.payload).toString();
    const modes = seen.get(text);
    if (modes) {
      modes.push(m.dedupe ?? 'record-only');
      out.set(text, modes);
    } else {
      seen.set(text, []);
    }
  }
  return out;
}

function payloads(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}

describe('mqtt connector: several connections', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(() => broker.dispose());

  it('with connections 3, a preloaded burst is delivered exactly once, spread over the 3 connections', async () => {
    const clientId = uniqueId('shared');
    const config = { clientId, connections: 3, topicFilters: [{ filter: 'burst/#', qos: 1 as const }] };
    const setup = createConnector(broker, config);
    await setup.source.start();
    const first = setup.source.status();
    assert.deepEqual(first.connections.map((c) => c.clientId), [clientId, `${clientId}-2`, `${clientId}-3`]);
    assert.equal(first.connectedCount, 3);
    assert.equal(first.sharedGroup, clientId);
    assert.deepEqual(first.subscriptions, [{ filter: `$share/${clientId}/burst/#`, requestedQos: 1, grantedQos: 1 }]);
    await setup.source.stop({ drainMs: 1000 });

    const pub = await testClient(broker);
    const burst = payloads('b', 3000);
    for (let i = 0; i < burst.length; i += 500) await publishAll(pub, `burst/d${i % 7}`, burst.slice(i, i + 500));
    await pub.endAsync();

    const { source, ctx } = createConnector(broker, config);
    await source.start();
    try {
      await waitFor(() => storedTexts(ctx).size === burst.length, 'the whole burst stored', 20_000);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(ctx.delivered.length, burst.length, 'no message delivered twice');
      const status = source.status();
      assert.equal(status.connected, true);
      assert.equal(status.connectedCount, 3);
      assert.ok(status.connections.every((c) => c.received > 0), `every connection took a share: ${status.connections.map((c) => c.received).join(', ')}`);
      assert.equal(status.connections.reduce((n, c) => n + c.received, 0), burst.length);
      assert.equal(status.received, burst.length);
      await waitFor(() => source.status().unacked === 0, 'every PUBACK written');
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('one connection losing its network mid-stream loses nothing; the others go on and it comes back', async () => {
    const proxy = await startTcpProxy(broker);
    const ctx = createTestContext({ mode: 'hold' });
    const { source } = createConnector({ host: '127.0.0.1', port: proxy.port }, { connections: 3, topicFilters: [{ filter: 'cut/#', qos: 1 }] }, ctx);
    await source.start();
    const pub = await testClient(broker);
    try {
      const all = payloads('c', 3000);
      await publishAll(pub, 'cut/d1', all.slice(0, 300));
      await waitFor(() => source.status().connections.every((c) => c.unacked > 0), 'every connection holding un-acknowledged messages');
      assert.ok(proxy.cutOne(), 'one connection was cut');
      // Committed now, but the cut connection can no longer acknowledge them: the broker redelivers.
      ctx.mode = (_batch, call) => setTimeout(() => call.resolve(), 1);
      ctx.settleAll('resolve');
      for (let i = 300; i < all.length; i += 300) await publishAll(pub, `cut/d${i % 5}`, all.slice(i, i + 300));
      await waitFor(() => storedTexts(ctx).size === all.length, 'every message stored', 20_000);
      await waitFor(() => source.status().connected, 'the cut connection back');
      const status = source.status();
      assert.deepEqual(status.connections.map((c) => c.reconnects).sort(), [0, 0, 1], 'only the cut connection reconnected');
      const again = repeats(ctx.delivered);
      assert.ok(again.size > 0, 'what the cut connection held came again');
      for (const [text, modes] of again) assert.ok(modes.every((m) => m === 'check'), `${text} came again only as a flagged redelivery`);
      const lost = ctx.states.find((s) => s.state === 'disconnected');
      assert.equal((lost?.error as { code?: string } | undefined)?.code, 'CONNECTION_FAILED');
      assert.equal(ctx.states.at(-1)?.state, 'connected');
      const cutRow = status.connections.find((c) => c.reconnects === 1);
      assert.equal(cutRow?.lastError, null, 'the error is cleared once it is back');
    } finally {
      await pub.endAsync();
      await source.stop({ drainMs: 1000 });
      await proxy.close();
    }
  });

  it('a broker restart mid-stream loses nothing with 3 connections (persistent sessions)', async () => {
    const restartable = await startMosquitto({ persistence: true });
    const { source, ctx } = createConnector(restartable, { connections: 3, topicFilters: [{ filter: 'restart/#', qos: 1 }] });
    const publisher = await testClient(restartable, { clientId: uniqueId('publisher'), clean: false, reconnectPeriod: 50 });
    // QoS 1 is at least once on the publisher's hop too: a PUBLISH whose PUBACK the restart swallowed
    // is sent again by the publisher, and the broker forwards it as a new message (no DUP flag).
    const sends = new Map<string, number>();
    publisher.on('packetsend', (p) => {
      if (p.cmd === 'publish') sends.set(p.payload.toString(), (sends.get(p.payload.toString()) ?? 0) + 1);
    });
    try {
      await source.start();
      const total = 600;
      await publishAcrossRestart(publisher, restartable, total, (i) => `restart/d${i % 3}`, 'r');
      await waitFor(() => storedTexts(ctx).size === total, `${total} distinct payloads stored`, 20_000);
      await waitFor(() => source.status().connected, 'every connection back');
      assert.ok(source.status().connections.every((c) => c.reconnects >= 1), 'each connection reconnected');
      for (const [text, modes] of repeats(ctx.delivered)) {
        const unflagged = modes.filter((m) => m !== 'check').length;
        assert.ok(unflagged <= (sends.get(text) ?? 1) - 1, `${text} came again only as a flagged redelivery or because the publisher sent it again`);
      }
    } finally {
      await publisher.endAsync(true);
      await source.stop({ drainMs: 1000 });
      await restartable.dispose();
    }
  });

  it('raising connections from 1 resumes the single connection\'s session and nothing arrives twice', async () => {
    const clientId = uniqueId('grow');
    const single = createConnector(broker, { clientId, topicFilters: [{ filter: 'grow/#', qos: 1 }] });
    await single.source.start();
    assert.equal(single.source.status().sharedGroup, null);
    assert.deepEqual(single.source.status().subscriptions.map((s) => s.filter), ['grow/#']);
    await single.source.stop({ drainMs: 1000 });

    const pub = await testClient(broker);
    await publishAll(pub, 'grow/d1', ['queued-1', 'queued-2']);
    const { source, ctx } = createConnector(broker, { clientId, connections: 2, topicFilters: [{ filter: 'grow/#', qos: 1 }] });
    await source.start();
    try {
      const later = payloads('later', 40);
      await publishAll(pub, 'grow/d1', later);
      await waitFor(() => storedTexts(ctx).size === later.length + 2, 'the queued and the later messages');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual([...texts(ctx.delivered)].sort(), ['queued-1', 'queued-2', ...later].sort(), 'each once');
      assert.ok(source.status().connections.every((c) => c.received > 2), 'both connections share the later messages');
      assert.deepEqual(source.status().subscriptions.map((s) => s.filter), [`$share/${clientId}/grow/#`]);
    } finally {
      await pub.endAsync();
      await source.stop({ drainMs: 1000 });
    }
  });

  it('raising connections with a backlog queued in the session: the start does not wait for it and nothing arrives twice', async () => {
    const clientId = uniqueId('backlog');
    const single = createConnector(broker, { clientId, topicFilters: [{ filter: 'backlog/#', qos: 1 }] });
    await single.source.start();
    await single.source.stop({ drainMs: 1000 });
    const pub = await testClient(broker);
    const backlog = payloads('q', 4000);
    for (let i = 0; i < backlog.length; i += 500) await publishAll(pub, 'backlog/d1', backlog.slice(i, i + 500));
    // Slow commits and small windows: the backlog takes longer to drain than connectTimeoutMs.
    const ctx = createTestContext({ mode: (_batch, call) => setTimeout(() => call.resolve(), 5) });
    const { source } = createConnector(broker, { clientId, connections: 2, maxInFlight: 10, connectTimeoutMs: 500, topicFilters: [{ filter: 'backlog/#', qos: 1 }] }, ctx);
    await source.start();
    try {
      await waitFor(() => storedTexts(ctx).size === backlog.length, 'the backlog', 30_000);
      assert.equal(ctx.delivered.length, backlog.length, 'nothing twice');
      assert.equal(source.status().reconnects, 0);
    } finally {
      await pub.endAsync();
      await source.stop({ drainMs: 1000 });
    }
  });

  it('a sharedGroup spreads the messages over two integrations with their own client ids', async () => {
    const group = uniqueId('group');
    const a = createConnector(broker, { sharedGroup: group, topicFilters: [{ filter: 'split/#', qos: 1 }] });
    const b = createConnector(broker, { sharedGroup: group, topicFilters: [{ filter: 'split/#', qos: 1 }] });
    await a.source.start();
    await b.source.start();
    const pub = await testClient(broker);
    try {
      const all = payloads('s', 200);
      await publishAll(pub, 'split/d1', all);
      await waitFor(() => storedTexts(a.ctx).size + storedTexts(b.ctx).size === all.length, 'every message in one of the two');
      assert.ok(a.ctx.delivered.length > 0 && b.ctx.delivered.length > 0, 'both took a share');
      assert.deepEqual([...texts(a.ctx.delivered), ...texts(b.ctx.delivered)].sort(), [...all].sort(), 'each message once');
      assert.equal(a.source.status().connections.length, 1);
    } finally {
      await pub.endAsync();
      await a.source.stop({ drainMs: 1000 });
      await b.source.stop({ drainMs: 1000 });
    }
  });

  it('a start fails as a whole when one of the connections is refused, and leaves none open', async () => {
    // Only client ids starting with "<id>-" may connect: connections 2 and 3 get in, connection 1 is refused.
    const clientId = uniqueId('picky');
    const picky = await startMosquitto({ extraConfig: [`clientid_prefixes ${clientId}-`] });
    try {
      const { source, ctx } = createConnector(picky, { clientId, connections: 3, topicFilters: [{ filter: 'x/#', qos: 1 }] });
      await assert.rejects(source.start(), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'AUTH_FAILED');
        assert.match(err.message, new RegExp(`client id "${clientId}"`));
        return true;
      });
      assert.equal(source.status().connectedCount, 0);
      assert.equal(ctx.states.at(-1)?.state, 'disconnected');
      await waitFor(() => [2, 3].every((n) => picky.logs().includes(`Client ${clientId}-${n} closed its connection`)), 'connections 2 and 3 closed again');
    } finally {
      await picky.dispose();
    }
  });
});

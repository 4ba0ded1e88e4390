import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { freePort } from '../../peers/free-port.ts';
import { createConnector, testClient } from './mqtt-test-client.ts';
import { waitFor } from '../../support/wait.ts';

type CodedError = Error & { code?: string; details?: Record<string, unknown> };

describe('mqtt connector: connection errors', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto({ users: { cb: 'right-password' } }); });
  after(() => broker.dispose());

  for (const protocolVersion of [4, 5] as const) {
    it(`rejects start() with AUTH_FAILED for a wrong password (MQTT ${protocolVersion === 4 ? '3.1.1' : '5'}), without echoing it`, async () => {
      const { source, ctx } = createConnector(broker, { username: 'cb', password: 'wrong-password', protocolVersion });
      await assert.rejects(source.start(), (err: CodedError) => {
        assert.equal(err.code, 'AUTH_FAILED');
        assert.match(err.message, /user name or password|not authorized/i);
        assert.match(err.message, /"cb"/);
        assert.doesNotMatch(err.message, /wrong-password|right-password/);
        return true;
      });
      assert.deepEqual(ctx.states.map((s) => s.state), ['connecting', 'disconnected']);
      assert.equal((ctx.states[1]?.error as CodedError).code, 'AUTH_FAILED');
      await source.stop();
    });
  }

  it('rejects start() with CONNECTION_FAILED when nothing listens on the port', async () => {
    const port = await freePort();
    const { source } = createConnector({ host: '127.0.0.1', port });
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.equal(err.code, 'CONNECTION_FAILED');
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}.*refused`));
      assert.equal(err.details?.field, 'port');
      return true;
    });
  });

  it('rejects start() with CONNECTION_TIMEOUT when the port accepts but never answers MQTT', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => { sockets.add(s); s.on('error', () => undefined); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const { source } = createConnector({ host: '127.0.0.1', port }, { connectTimeoutMs: 300 });
      await assert.rejects(source.start(), (err: CodedError) => {
        assert.equal(err.code, 'CONNECTION_TIMEOUT');
        assert.match(err.message, /CONNACK.*within 300 ms/);
        return true;
      });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('reports a session take-over by another client with the same client id (MQTT 5)', async () => {
    const { source, ctx, config } = createConnector(broker, { username: 'cb', password: 'right-password', protocolVersion: 5, reconnect: { initialDelayMs: 2000, maxDelayMs: 2000 } });
    await source.start();
    try {
      const intruder = await testClient(broker, { clientId: config.clientId, username: 'cb', password: 'right-password', protocolVersion: 5 });
      await waitFor(() => ctx.states.at(-1)?.state === 'disconnected', 'the take-over to be reported');
      const error = ctx.states.at(-1)?.error as CodedError;
      assert.equal(error.code, 'CONNECTION_FAILED');
      assert.match(error.message, /same client id/);
      assert.equal(source.status().connected, false);
      await intruder.endAsync(true);
    } finally {
      await source.stop({ drainMs: 100 });
    }
  });
});

describe('mqtt connector: subscription refused', () => {
  let aedes: Aedes;
  let server: Server;
  let port: number;
  before(async () => {
    aedes = await Aedes.createBroker({
      authorizeSubscribe: (_client, sub, done) => done(null, sub.topic.startsWith('secret/') ? null : sub),
    });
    server = createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((r) => aedes.close(() => r(undefined)));
    await new Promise((r) => server.close(r));
  });

  it('rejects start() with PERMISSION_DENIED naming the refused filter (SUBACK 0x80)', async () => {
    const { source, ctx } = createConnector({ host: '127.0.0.1', port }, { topicFilters: [{ filter: 'open/#', qos: 1 }, { filter: 'secret/+/data', qos: 1 }] });
    await assert.rejects(source.start(), (err: CodedError) => {
      assert.equal(err.code, 'PERMISSION_DENIED');
      assert.match(err.message, /"secret\/\+\/data"/);
      assert.equal(err.details?.filter, 'secret/+/data');
      return true;
    });
    assert.equal(ctx.states.at(-1)?.state, 'disconnected');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto } from '../../peers/mosquitto.ts';
import { createConnector, publishAcrossRestart, publishAll, storedTexts, testClient, uniqueId } from './mqtt-test-client.ts';
import { texts } from '../../support/connector-context.ts';
import { waitFor } from '../../support/wait.ts';

describe('mqtt connector: broker restarts', () => {
  it('reconnects after a broker restart mid-stream and loses nothing (persistent session)', async () => {
    const broker = await startMosquitto({ persistence: true });
    const { source, ctx } = createConnector(broker, { topicFilters: [{ filter: 'stream/#', qos: 1 }] });
    const publisher = await testClient(broker, { clientId: uniqueId('publisher'), clean: false, reconnectPeriod: 50 });
    try {
      await source.start();
      const total = 400;
      await publishAcrossRestart(publisher, broker, total, () => 'stream/d1', 'p');
      await waitFor(() => storedTexts(ctx).size === total, `${total} distinct payloads stored`, 15_000);
      assert.equal(storedTexts(ctx).size, total);
      assert.ok(source.status().reconnects >= 1, 'the connector reconnected');
      assert.equal(source.status().connected, true);
      assert.ok(ctx.states.some((s) => s.state === 'disconnected' && (s.error as { code?: string } | undefined)?.code === 'CONNECTION_FAILED'));
    } finally {
      await publisher.endAsync(true);
      await source.stop({ drainMs: 1000 });
      await broker.dispose();
    }
  });

  it('subscribes again when the broker lost the session (CONNACK sessionPresent false)', async () => {
    const broker = await startMosquitto({ persistence: false });
    const { source, ctx } = createConnector(broker, { topicFilters: [{ filter: 'lost/#', qos: 1 }] });
    try {
      await source.start();
      const before = await testClient(broker);
      await publishAll(before, 'lost/d1', ['before']);
      await waitFor(() => ctx.delivered.length === 1, 'the first message');
      await broker.kill();
      await broker.restart();
      await waitFor(() => source.status().connected && source.status().reconnects === 1, 'reconnected');
      assert.equal(source.status().sessionPresent, false);
      const after = await testClient(broker);
      await publishAll(after, 'lost/d1', ['after']);
      await waitFor(() => texts(ctx.delivered).includes('after'), 'a message published after the restart');
      assert.deepEqual(source.status().subscriptions.map((s) => s.filter), ['lost/#']);
      await after.endAsync();
    } finally {
      await source.stop({ drainMs: 1000 });
      await broker.dispose();
    }
  });
});

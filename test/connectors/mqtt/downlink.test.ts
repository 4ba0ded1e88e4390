import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EncodedDownlink } from '../../../src/core/model.ts';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { collect, createConnector } from './mqtt-test-client.ts';
import { waitFor } from '../../support/wait.ts';

function downlink(data: string, metadata: Record<string, string>): EncodedDownlink {
  return { contentType: 'JSON', data: Buffer.from(data), metadata };
}

const signal = new AbortController().signal;

describe('mqtt connector: downlink', () => {
  let broker: MosquittoBroker;
  before(async () => {
    broker = await startMosquitto({
      users: { cb: 'cb-secret', watcher: 'w' },
      acl: [
        'user cb', 'topic read up/#', 'topic write devices/#', 'topic write commands/#',
        'user watcher', 'topic read #',
      ].join('\n'),
    });
  });
  after(() => broker.dispose());

  const auth = { username: 'cb', password: 'cb-secret' };
  const watcher = { username: 'watcher', password: 'w' };

  it('publishes to the pattern filled from the encoder metadata; a subscriber sees it', async () => {
    const sub = await collect(broker, 'devices/#', watcher);
    const { source } = createConnector(broker, { ...auth, topicFilters: [{ filter: 'up/#', qos: 1 }], downlinkTopicPattern: 'devices/${deviceName}/${kind}' });
    await source.start();
    try {
      await source.sendDownlink(downlink('{"on":true}', { deviceName: 'pump-7', kind: 'commands', extra: 'ignored' }), signal);
      await waitFor(() => sub.messages.length === 1, 'the downlink at the subscriber');
      assert.deepEqual(sub.messages[0], { topic: 'devices/pump-7/commands', payload: '{"on":true}' });
    } finally {
      await sub.close();
      await source.stop({ drainMs: 1000 });
    }
  });

  it('uses metadata.topic with the default ${topic} pattern', async () => {
    const sub = await collect(broker, 'commands/#', watcher);
    const { source } = createConnector(broker, { ...auth, topicFilters: [{ filter: 'up/#', qos: 1 }] });
    await source.start();
    try {
      await source.sendDownlink(downlink('reboot', { topic: 'commands/dev-1' }), signal);
      await waitFor(() => sub.messages.length === 1, 'the downlink at the subscriber');
      assert.deepEqual(sub.messages[0], { topic: 'commands/dev-1', payload: 'reboot' });
    } finally {
      await sub.close();
      await source.stop({ drainMs: 1000 });
    }
  });

  it('rejects with DOWNLINK_FAILED naming the missing pattern key, without retry', async () => {
    const { source } = createConnector(broker, { ...auth, topicFilters: [{ filter: 'up/#', qos: 1 }], downlinkTopicPattern: 'devices/${deviceName}/commands' });
    await source.start();
    try {
      await assert.rejects(source.sendDownlink(downlink('{}', { device: 'pump-7' }), signal), (err: Error & { code?: string; retryable?: boolean }) => {
        assert.equal(err.code, 'DOWNLINK_FAILED');
        assert.equal(err.retryable, false);
        assert.match(err.message, /"deviceName"/);
        assert.match(err.message, /devices\/\$\{deviceName\}\/commands/);
        return true;
      });
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('reports an MQTT 5 PUBACK refusal (reason >= 0x80) as DOWNLINK_FAILED with the reason', async () => {
    const { source } = createConnector(broker, { ...auth, protocolVersion: 5, topicFilters: [{ filter: 'up/#', qos: 1 }], downlinkTopicPattern: 'forbidden/${deviceName}' });
    await source.start();
    try {
      await assert.rejects(source.sendDownlink(downlink('{}', { deviceName: 'd1' }), signal), (err: Error & { code?: string; details?: Record<string, unknown> }) => {
        assert.equal(err.code, 'DOWNLINK_FAILED');
        assert.match(err.message, /forbidden\/d1/);
        assert.match(err.message, /Not authorized/);
        assert.equal(err.details?.reasonCode, 0x87);
        return true;
      });
      assert.equal(source.status().connected, true, 'the connection stays up');
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('rejects with DOWNLINK_FAILED while not connected', async () => {
    const { source } = createConnector(broker, { ...auth, topicFilters: [{ filter: 'up/#', qos: 1 }] });
    await assert.rejects(source.sendDownlink(downlink('{}', { topic: 'commands/x' }), signal), { code: 'DOWNLINK_FAILED', message: /not connected/ });
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@aws-sdk/client-sqs';
import type { EncodedDownlink } from '../../../src/core/model.ts';
import { startFauxqsPeer, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { createSqsSource, peerConfig, uniqueName } from './helpers.ts';

const enc = new TextEncoder();

function downlink(data: string | Uint8Array, metadata: Record<string, string>, contentType: EncodedDownlink['contentType'] = 'JSON'): EncodedDownlink {
  return { contentType, data: typeof data === 'string' ? enc.encode(data) : data, metadata };
}

function attributes(m: Message | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(m?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
}

describe('aws-sqs connector: downlink (fauxqs)', () => {
  let peer: FauxqsPeer;
  let uplinkUrl: string;
  before(async () => {
    peer = await startFauxqsPeer();
    uplinkUrl = await peer.createQueue(uniqueName('up'));
  });
  after(() => peer.stop());

  it('sends the encoded data to downlinkQueueUrl with the encoder\'s metadata as message attributes', async () => {
    const downUrl = await peer.createQueue(uniqueName('down'));
    const { source } = createSqsSource(peerConfig(peer, uplinkUrl, { downlinkQueueUrl: downUrl }));
    await source.start();
    try {
      await source.sendDownlink(downlink('{"method":"setValve","params":{"open":true}}', { deviceName: 'valve-7', command: 'setValve' }), AbortSignal.timeout(5000));
      await source.sendDownlink(downlink(new Uint8Array([0, 255, 1]), { deviceName: 'valve-7' }, 'BINARY'), AbortSignal.timeout(5000));
      const messages = [...await peer.peek(downUrl), ...await peer.peek(downUrl)];
      const json = messages.find((m) => m.Body?.startsWith('{'));
      assert.equal(json?.Body, '{"method":"setValve","params":{"open":true}}');
      assert.deepEqual(attributes(json), { deviceName: 'valve-7', command: 'setValve' });
      const binary = messages.find((m) => !m.Body?.startsWith('{'));
      assert.equal(binary?.Body, Buffer.from([0, 255, 1]).toString('base64'));
      assert.deepEqual(attributes(binary), { deviceName: 'valve-7', contentEncoding: 'base64' });
    } finally {
      await source.stop({ drainMs: 1500 });
    }
  });

  it('sends to a FIFO downlink queue with the message group from metadata', async () => {
    const downUrl = await peer.createQueue(`${uniqueName('down')}.fifo`);
    const { source } = createSqsSource(peerConfig(peer, uplinkUrl, { downlinkQueueUrl: downUrl }));
    await source.start();
    try {
      await source.sendDownlink(downlink('first', { messageGroupId: 'valve-7', note: 'a' }, 'TEXT'), AbortSignal.timeout(5000));
      await source.sendDownlink(downlink('second', { deviceName: 'valve-8' }, 'TEXT'), AbortSignal.timeout(5000));
      const messages = [...await peer.peek(downUrl), ...await peer.peek(downUrl)];
      const first = messages.find((m) => m.Body === 'first');
      assert.equal(first?.Attributes?.MessageGroupId, 'valve-7');
      assert.deepEqual(attributes(first), { note: 'a' }, 'messageGroupId sets the group, it is no attribute');
      assert.equal(messages.find((m) => m.Body === 'second')?.Attributes?.MessageGroupId, 'valve-8');
    } finally {
      await source.stop({ drainMs: 1500 });
    }
  });

  it('rejects downlinks it cannot send with a message that says why', async () => {
    const downUrl = await peer.createQueue(uniqueName('down'));
    const { source } = createSqsSource(peerConfig(peer, uplinkUrl, { downlinkQueueUrl: downUrl }));
    const without = createSqsSource(peerConfig(peer, uplinkUrl)).source;
    await source.start();
    await without.start();
    try {
      const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
      await assert.rejects(source.sendDownlink(downlink('x', many), AbortSignal.timeout(5000)), { code: 'DOWNLINK_FAILED', message: /at most 10/ });
      await assert.rejects(without.sendDownlink(downlink('x', {}), AbortSignal.timeout(5000)), { code: 'DOWNLINK_UNSUPPORTED', message: /downlinkQueueUrl/ });
      const missing = downUrl.replace(/[^/]+$/, 'no-such-queue');
      const wrong = createSqsSource(peerConfig(peer, uplinkUrl, { downlinkQueueUrl: missing })).source;
      await wrong.start();
      try {
        await assert.rejects(wrong.sendDownlink(downlink('x', {}), AbortSignal.timeout(5000)), { code: 'DOWNLINK_FAILED', message: /"no-such-queue".* does not exist: check downlinkQueueUrl/ });
      } finally {
        await wrong.stop({ drainMs: 1500 });
      }
    } finally {
      await source.stop({ drainMs: 1500 });
      await without.stop({ drainMs: 1500 });
    }
  });
});

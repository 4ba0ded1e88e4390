import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveMessageCommand, type ReceiveMessageCommandOutput } from '@aws-sdk/client-sqs';
import { startFauxqsPeer, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { createTestContext } from '../../support/connector-context.ts';
import { createSqsSource, peerConfig, uniqueName } from './helpers.ts';
import { waitFor } from '../../support/wait.ts';

describe('aws-sqs connector: visibility heartbeat (fauxqs)', () => {
  let peer: FauxqsPeer;
  before(async () => { peer = await startFauxqsPeer(); });
  after(() => peer.stop());

  it('a store stalled for longer than the visibility timeout causes no redelivery', async () => {
    const name = uniqueName('stall');
    const url = await peer.createQueue(name, { VisibilityTimeout: '2' });
    await peer.sendAll(url, ['slow-1', 'slow-2', 'slow-3']);
    const ctx = createTestContext({ mode: 'hold' });
    const { source } = createSqsSource(peerConfig(peer, url, { maxReceivers: 2 }), ctx);
    await source.start();
    try {
      await waitFor(() => ctx.delivered.length === 3, 'three deliveries');
      // Three times the visibility timeout, with receivers polling all along.
      await new Promise((r) => setTimeout(r, 6000));
      assert.equal(ctx.delivered.length, 3, 'no message was received a second time');
      assert.equal(source.status().visibilityTimeoutSeconds, 2, 'the queue\'s visibility timeout is used');
      assert.ok(Number(source.status().visibilityExtensions) >= 6, `extended repeatedly (${String(source.status().visibilityExtensions)})`);
      ctx.settleAll('resolve');
      await waitFor(async () => (await peer.state(name)).inflight === 0, 'the deletes');
      assert.deepEqual(await peer.state(name), { ready: 0, inflight: 0, delayed: 0 });
      assert.deepEqual(await peer.peek(url), [], 'nothing comes back');
    } finally {
      await source.stop({ drainMs: 1500 });
    }
  });

  it('without the heartbeat the same stall would redeliver: the queue really has a 2 s visibility timeout', async () => {
    const name = uniqueName('control');
    const url = await peer.createQueue(name, { VisibilityTimeout: '2' });
    await peer.sendAll(url, ['c1']);
    const receive = (): Promise<ReceiveMessageCommandOutput> => peer.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
    assert.equal((await receive()).Messages?.length, 1);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await receive()).Messages?.[0]?.Attributes?.ApproximateReceiveCount, '2');
  });

  it('a requested visibilityTimeoutSeconds overrides the queue\'s and is kept up as well', async () => {
    const name = uniqueName('override');
    const url = await peer.createQueue(name, { VisibilityTimeout: '600' });
    await peer.sendAll(url, ['o1']);
    const ctx = createTestContext({ mode: 'hold' });
    const { source } = createSqsSource(peerConfig(peer, url, { visibilityTimeoutSeconds: 1 }), ctx);
    await source.start();
    try {
      await waitFor(() => ctx.delivered.length === 1, 'the delivery');
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(ctx.delivered.length, 1);
      assert.equal(source.status().visibilityTimeoutSeconds, 1);
      ctx.settleAll('resolve');
      await waitFor(async () => (await peer.state(name)).inflight === 0, 'the delete');
    } finally {
      await source.stop({ drainMs: 1500 });
    }
  });
});

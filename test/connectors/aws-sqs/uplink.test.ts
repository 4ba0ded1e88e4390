import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFauxqsPeer, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { createTestContext, storeUnavailable } from '../../support/connector-context.ts';
import { bodies, createSqsSource, peerConfig, uniqueName } from './helpers.ts';
import { waitFor } from '../../support/wait.ts';

describe('aws-sqs connector: receiving, acknowledging, redelivery (fauxqs)', () => {
  let peer: FauxqsPeer;
  before(async () => { peer = await startFauxqsPeer(); });
  after(() => peer.stop());

  it('hands every body to the pipeline as its bytes, with message id, attributes and receive count as metadata, and deletes it once stored', async () => {
    const name = uniqueName('uplink');
    const url = await peer.createQueue(name);
    const base64 = Buffer.from([0, 1, 2, 250, 255]).toString('base64');
    await peer.sendAll(url, [
      { MessageBody: '{"deviceName":"d1","temperature":21.5}', MessageAttributes: { deviceType: { DataType: 'String', StringValue: 'thermostat' }, rssi: { DataType: 'Number', StringValue: '-71' }, raw: { DataType: 'Binary', BinaryValue: Buffer.from([7, 8]) } } },
      { MessageBody: 'plain text, not JSON' },
      { MessageBody: base64 },
    ]);
    const { source, ctx } = createSqsSource(peerConfig(peer, url));
    await source.start();
    try {
      await waitFor(() => ctx.delivered.length === 3, 'three messages delivered');
      assert.deepEqual(bodies(ctx).sort(), ['plain text, not JSON', '{"deviceName":"d1","temperature":21.5}', base64].sort());
      const json = ctx.delivered.find((m) => Buffer.from(m.payload).toString().startsWith('{'));
      assert.ok(json);
      assert.equal(json.sourceKey, json.metadata.messageId, 'the MessageId is the dedupe key');
      assert.equal(json.dedupe, 'check');
      assert.equal(json.metadata.approximateReceiveCount, '1');
      assert.match(json.metadata.sentTimestamp ?? '', /^\d{13}$/);
      assert.equal(json.sourceTimestamp, Number(json.metadata.sentTimestamp), 'SentTimestamp is the source timestamp');
      assert.ok(json.sourceTimestamp !== undefined && json.sourceTimestamp <= json.receivedAt);
      assert.equal(json.metadata.deviceType, 'thermostat');
      assert.equal(json.metadata.rssi, '-71');
      assert.equal(json.metadata.raw, Buffer.from([7, 8]).toString('base64'));
      await waitFor(async () => {
        const s = await peer.state(name);
        return s.ready === 0 && s.inflight === 0;
      }, 'the queue to be empty (all deleted)');
      const status = source.status();
      assert.equal(status.deleted, 3);
      assert.equal(status.inFlight, 0);
      assert.equal(status.redrivePolicy, null);
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('with bodyEncoding base64, hands the decoded bytes to the converter', async () => {
    const name = uniqueName('b64');
    const url = await peer.createQueue(name);
    await peer.sendAll(url, [Buffer.from([0, 159, 146, 150]).toString('base64'), 'not base64!']);
    const { source, ctx } = createSqsSource(peerConfig(peer, url, { bodyEncoding: 'base64' }));
    await source.start();
    try {
      await waitFor(() => ctx.delivered.length === 2, 'two messages');
      const binary = ctx.delivered.find((m) => m.metadata.bodyEncoding === 'base64');
      assert.deepEqual([...(binary?.payload ?? [])], [0, 159, 146, 150]);
      const text = ctx.delivered.find((m) => m.metadata.bodyEncoding === 'text');
      assert.equal(Buffer.from(text?.payload ?? []).toString(), 'not base64!');
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('deletes nothing while the delivery is pending', async () => {
    const name = uniqueName('pending');
    const url = await peer.createQueue(name);
    await peer.sendAll(url, ['a', 'b']);
    const { source, ctx } = createSqsSource(peerConfig(peer, url), createTestContext({ mode: 'hold' }));
    await source.start();
    try {
      await waitFor(() => ctx.delivered.length === 2, 'two messages delivered');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await peer.state(name), { ready: 0, inflight: 2, delayed: 0 });
      ctx.settleAll('resolve');
      await waitFor(async () => (await peer.state(name)).inflight === 0, 'the deletes');
      assert.deepEqual(await peer.state(name), { ready: 0, inflight: 0, delayed: 0 });
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('makes a message whose delivery was rejected visible again after the pipeline\'s retry delay, and deletes it once a redelivery is stored', async () => {
    const name = uniqueName('retry');
    const url = await peer.createQueue(name);
    await peer.sendAll(url, ['m1']);
    let first = true;
    const ctx = createTestContext({
      mode: (_batch, call) => {
        if (first) {
          first = false;
          setImmediate(() => call.reject(storeUnavailable(1500)));
        } else {
          setImmediate(() => call.resolve());
        }
      },
    });
    const { source } = createSqsSource(peerConfig(peer, url), ctx);
    await source.start();
    try {
      await waitFor(() => ctx.calls.some((c) => c.settled === 'resolved'), 'the redelivery to be stored', 15_000);
      assert.equal(ctx.delivered.length, 2);
      assert.equal(ctx.delivered[0]?.sourceKey, ctx.delivered[1]?.sourceKey, 'the same message came back');
      assert.equal(ctx.delivered[1]?.metadata.approximateReceiveCount, '2');
      const waitedMs = (ctx.calls[1]?.at ?? 0) - (ctx.calls[0]?.at ?? 0);
      assert.ok(waitedMs >= 1500, `visible again after the 1500 ms retry delay, rounded up to whole seconds (waited ${waitedMs} ms)`);
      await waitFor(async () => (await peer.state(name)).inflight === 0, 'the delete');
      assert.deepEqual(await peer.state(name), { ready: 0, inflight: 0, delayed: 0 });
      assert.equal(source.status().rejected, 1);
      assert.equal(source.status().released, 1);
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('warns when a message is on its last receive before the redrive policy moves it to the dead-letter queue', async () => {
    const dlq = await peer.createQueue(uniqueName('dlq'));
    const url = await peer.createQueue(uniqueName('last'), {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${peer.region}:000000000000:${dlq.split('/').at(-1)}`, maxReceiveCount: '2' }),
    });
    await peer.sendAll(url, ['m1']);
    let first = true;
    const ctx = createTestContext({
      mode: (_batch, call) => {
        const fail = first;
        first = false;
        setImmediate(() => (fail ? call.reject(storeUnavailable()) : call.resolve()));
      },
    });
    const { source } = createSqsSource(peerConfig(peer, url), ctx);
    await source.start();
    try {
      await waitFor(() => ctx.calls.some((c) => c.settled === 'resolved'), 'the second delivery', 10_000);
      assert.deepEqual(ctx.warnings.map((w) => w.code), ['SQS_LAST_RECEIVE']);
      assert.match(ctx.warnings[0]?.message ?? '', /maxReceiveCount: if storing them fails once more, SQS moves them to arn:aws:sqs:/);
    } finally {
      await source.stop({ drainMs: 1500 });
    }
  });

  it('on stop, makes messages whose delivery is still pending visible again within seconds', async () => {
    const name = uniqueName('stop');
    const url = await peer.createQueue(name, { VisibilityTimeout: '300' });
    await peer.sendAll(url, ['s1', 's2', 's3']);
    const ctx = createTestContext({ mode: 'hold' });
    const { source } = createSqsSource(peerConfig(peer, url), ctx);
    await source.start();
    await waitFor(() => ctx.delivered.length === 3, 'three deliveries');
    await source.stop({ drainMs: 100 });
    assert.equal(source.status().released, 3);
    // Released once the aborted long poll's window (1 s) is over, so SQS cannot hand them to it.
    const seen = new Set<string>();
    await waitFor(async () => {
      for (const m of await peer.peek(url)) seen.add(m.Body ?? '');
      return seen.size === 3;
    }, 'the messages to be visible again, long before the 300 s visibility timeout', 5000);
  });

  it('keeps at most maxInFlight messages received and not deleted', async () => {
    const name = uniqueName('inflight');
    const url = await peer.createQueue(name);
    await peer.sendAll(url, Array.from({ length: 100 }, (_, i) => `m${i}`));
    const ctx = createTestContext({ mode: 'hold' });
    const { source } = createSqsSource(peerConfig(peer, url, { maxInFlight: 20, maxReceivers: 4 }), ctx);
    await source.start();
    try {
      await waitFor(() => ctx.delivered.length >= 20, '20 deliveries');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(ctx.delivered.length, 20);
      assert.equal((await peer.state(name)).inflight, 20);
      assert.equal(source.status().inFlight, 20);
      ctx.mode = 'resolve';
      ctx.settleAll('resolve');
      await waitFor(() => new Set(ctx.delivered.map((m) => m.sourceKey)).size === 100, 'all 100', 20_000);
      assert.equal(ctx.delivered.length, 100, 'each delivered once');
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });

  it('adds receivers while polls return full batches and drops back to one when the queue is empty', async () => {
    const name = uniqueName('scale');
    const url = await peer.createQueue(name);
    await peer.sendAll(url, Array.from({ length: 600 }, (_, i) => `m${i}`));
    const { source, ctx } = createSqsSource(peerConfig(peer, url, { maxReceivers: 4 }));
    let most = 0;
    const sampler = setInterval(() => { most = Math.max(most, Number(source.status().receivers)); }, 5);
    await source.start();
    try {
      await waitFor(() => ctx.delivered.length === 600, 'all 600', 30_000);
      assert.ok(most >= 2 && most <= 4, `receivers scaled up within the limit (most ${most})`);
      await waitFor(() => source.status().receivers === 1, 'one receiver left', 10_000);
    } finally {
      clearInterval(sampler);
      await source.stop({ drainMs: 1000 });
    }
  });

  it('shows the queue\'s redrive policy in its status', async () => {
    const dlq = await peer.createQueue(uniqueName('dlq'));
    const dlqArn = `arn:aws:sqs:${peer.region}:000000000000:${dlq.split('/').at(-1)}`;
    const url = await peer.createQueue(uniqueName('redrive'), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '7' }) });
    const { source } = createSqsSource(peerConfig(peer, url));
    await source.start();
    try {
      assert.deepEqual(source.status().redrivePolicy, { maxReceiveCount: 7, deadLetterTargetArn: dlqArn });
    } finally {
      await source.stop({ drainMs: 1000 });
    }
  });
});

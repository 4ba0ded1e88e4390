import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFauxqsPeer, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { createTestContext, storeUnavailable } from '../../support/connector-context.ts';
import { createSqsSource, peerConfig, uniqueName } from './helpers.ts';
import { waitFor } from '../../support/wait.ts';

const GROUPS = ['g-a', 'g-b', 'g-c'];
const PER_GROUP = 30;

/** Messages `<group>:<n>`, interleaved across groups as a device fleet would send them. */
function interleaved(): Array<{ MessageBody: string; MessageGroupId: string; MessageDeduplicationId: string }> {
  const out = [];
  for (let n = 0; n < PER_GROUP; n++) {
    for (const g of GROUPS) out.push({ MessageBody: `${g}:${n}`, MessageGroupId: g, MessageDeduplicationId: `${g}-${n}` });
  }
  return out;
}

/** Per group, the sequence numbers in the order they were first committed. */
function committedOrder(committed: string[]): Map<string, number[]> {
  const seen = new Set<string>();
  const order = new Map<string, number[]>();
  for (const body of committed) {
    if (seen.has(body)) continue;
    seen.add(body);
    const [g = '', n = ''] = body.split(':');
    order.set(g, [...(order.get(g) ?? []), Number(n)]);
  }
  return order;
}

describe('aws-sqs connector: FIFO queues (fauxqs)', () => {
  let peer: FauxqsPeer;
  before(async () => { peer = await startFauxqsPeer(); });
  after(() => peer.stop());

  it('commits each message group in order while groups run in parallel, also when a delivery fails midway', async () => {
    const name = `${uniqueName('order')}.fifo`;
    const url = await peer.createQueue(name);
    await peer.sendAll(url, interleaved(), 1);
    const committed: string[] = [];
    let failedOnce = false;
    let concurrentGroups = 0;
    const ctx = createTestContext({
      mode: (batch, call) => {
        const texts = batch.map((m) => Buffer.from(m.payload).toString());
        concurrentGroups = Math.max(concurrentGroups, ctx.pending().length);
        setTimeout(() => {
          if (!failedOnce && texts.includes('g-a:10')) {
            failedOnce = true;
            call.reject(storeUnavailable());
            return;
          }
          committed.push(...texts);
          call.resolve();
        }, Math.floor(Math.random() * 15));
      },
    });
    const { source } = createSqsSource(peerConfig(peer, url, { maxReceivers: 4, maxMessages: 1}), ctx);
    await source.start();
    try {
      await waitFor(() => new Set(committed).size === GROUPS.length * PER_GROUP, 'every message committed', 30_000);
      assert.ok(failedOnce, 'one delivery failed');
      const order = committedOrder(committed);
      for (const g of GROUPS) assert.deepEqual(order.get(g), Array.from({ length: PER_GROUP }, (_, n) => n), `group ${g} in order`);
      assert.ok(concurrentGroups >= 2, 'different groups were delivered concurrently');
      const first = ctx.delivered.find((m) => Buffer.from(m.payload).toString() === 'g-b:0');
      assert.equal(first?.metadata.messageGroupId, 'g-b');
      assert.match(first?.metadata.sequenceNumber ?? '', /^\d+$/);
      assert.equal(source.status().fifo, true);
      await waitFor(async () => (await peer.state(name)).inflight === 0, 'the last deletes');
      assert.deepEqual(await peer.state(name), { ready: 0, inflight: 0, delayed: 0 });
    } finally {
      await source.stop({ drainMs: 1500 });
    }
  });
});

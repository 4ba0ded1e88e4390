/**
 * The Event Hubs source on the Azure double with the unmodified SDK, in this process: every event
 * committed exactly once, metadata, per-partition status, the double dropping connections, a
 * rejected delivery rewinding its partition to the committed checkpoint.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { storeUnavailable } from '../../support/connector-context.ts';
import { waitFor } from '../../support/wait.ts';
import { committedOf, committingContext, createSource, publishNumbered } from './helpers.ts';

describe('azure-event-hubs source on the double', () => {
  let azure: AzureDouble;
  before(async () => {
    azure = await startAzureDouble({ eventHubs: { hubs: [
      { name: 'tenk', partitions: 4, consumerGroups: ['cg1'] },
      { name: 'drops', partitions: 4, consumerGroups: ['cg1'] },
      { name: 'rewind', partitions: 2, consumerGroups: ['cg1'] },
      { name: 'meta', partitions: 1, consumerGroups: ['cg1'] },
    ] } });
  });
  after(async () => { await azure.stop(); });

  it('10,000 events on 4 partitions: each committed exactly once, checkpoints at the last event', async () => {
    publishNumbered(azure, 'tenk', 0, 10_000);
    const ctx = committingContext();
    const source = createSource(azure, 'tenk', ctx, { loadBalancing: 'greedy' });
    await source.start();
    const committed = committedOf(ctx);
    await waitFor(() => committed.counts.size >= 10_000, 'all 10,000 committed', 60_000);
    await source.stop({ drainMs: 5000 });
    assert.deepEqual(committed.twice(), []);
    assert.equal(committed.counts.size, 10_000);
    const leases = await ctx.leaseStore.listLeases(ctx.integrationId);
    assert.deepEqual(leases.map((l) => l.checkpoint?.split('@')[0]).sort(), ['2499', '2499', '2499', '2499']);
    assert.ok(leases.every((l) => l.owner === null), 'stop released every lease (graceful hand-off)');
  });

  it('metadata: partition, sequence number, offset, enqueued time, partition key, every application property; status per partition', async () => {
    azure.hooks.eventHubs.publish('meta', [{ body: Buffer.from('{"t":1}'), properties: { site: 'north', level: 3 }, messageId: 'm-1' }], { partitionKey: 'dev-7' });
    const ctx = committingContext();
    const source = createSource(azure, 'meta', ctx);
    await source.start();
    await waitFor(() => ctx.delivered.length >= 1, 'the event delivered', 20_000);
    const m = ctx.delivered[0];
    assert.ok(m);
    assert.equal(Buffer.from(m.payload).toString(), '{"t":1}');
    assert.equal(m.sourceKey, '0/0');
    assert.equal(m.dedupe, 'none');
    assert.deepEqual({ ...m.metadata, enqueuedTime: undefined }, {
      site: 'north', level: '3', eventHubName: 'meta', partitionId: '0', sequenceNumber: '0', offset: '0', partitionKey: 'dev-7', messageId: 'm-1', enqueuedTime: undefined,
    });
    assert.ok(!Number.isNaN(Date.parse(m.metadata.enqueuedTime ?? '')));
    await waitFor(() => {
      const row = (source.status().partitions as Array<{ checkpointSequenceNumber: number | null; lagEvents: number | null; ownedHere: boolean }>)[0];
      return row?.checkpointSequenceNumber === 0 && row.lagEvents === 0 && row.ownedHere;
    }, 'status: checkpoint 0, lag 0, read here', 10_000);
    // A downlink goes to the hub with the encoder's metadata as properties and its partition key.
    await source.sendDownlink?.({ contentType: 'JSON', data: Buffer.from('{"cmd":"on"}'), metadata: { partitionKey: 'dev-7', site: 'south', messageId: 'down-1' } }, AbortSignal.timeout(20_000));
    const sent = azure.hooks.eventHubs.events('meta', '0').at(-1);
    assert.deepEqual(sent?.body, { cmd: 'on' }, 'the encoded JSON bytes as the body');
    assert.equal(sent?.partitionKey, 'dev-7');
    assert.equal(sent?.properties?.site, 'south');
    await source.stop();
  });

  it('the double dropping connections mid-stream: nothing lost, nothing twice', async () => {
    publishNumbered(azure, 'drops', 0, 8000);
    const ctx = committingContext();
    const source = createSource(azure, 'drops', ctx, { loadBalancing: 'greedy', maxBatchSize: 100 });
    await source.start();
    try {
      const committed = committedOf(ctx);
      const rows = (): Array<{ committed: number }> => source.status().partitions as Array<{ committed: number }>;
      // Each drop comes mid-stream with every partition's receiver attached: a link still attaching
      // when the connection drops waits for the SDK's 60 s operation timeout, against Azure too.
      const allAttached = (): boolean => azure.hooks.eventHubs.consumers('drops').length === 4;
      await waitFor(() => rows().every((r) => r.committed > 0) && allAttached(), 'every partition stores', 30_000, 5);
      azure.hooks.faults.dropConnections('eventHubs', 'destroy');
      publishNumbered(azure, 'drops', 8000, 2000);
      await waitFor(() => committed.counts.size >= 9000 && allAttached(), '9000 committed, every receiver attached again', 60_000);
      azure.hooks.faults.dropConnections('eventHubs', 'close');
      await waitFor(() => committed.counts.size >= 10_000, 'all 10,000 committed', 90_000);
      assert.deepEqual(committed.twice(), []);
      assert.equal(committed.counts.size, 10_000);
    } finally {
      await source.stop();
    }
  });

  it('a rejected delivery is never checkpointed past: the partition is read again from its checkpoint after retryAfterMs', async () => {
    publishNumbered(azure, 'rewind', 0, 200, 2);
    // The store is down for 300 ms from the first delivery of partition 1: every delivery offered
    // meanwhile is rejected, as the pipeline's ordered settlement does.
    let downUntil = 0;
    let failures = 0;
    const ctx = committingContext(undefined, (batch, call) => {
      if (downUntil === 0 && batch.some((m) => m.metadata.partitionId === '1')) downUntil = Date.now() + 300;
      if (Date.now() < downUntil) {
        failures++;
        setImmediate(() => call.reject(storeUnavailable(200)));
      } else setImmediate(() => call.resolve());
    });
    const source = createSource(azure, 'rewind', ctx, { loadBalancing: 'greedy', maxBatchSize: 20 });
    await source.start();
    const committed = committedOf(ctx);
    await waitFor(() => committed.counts.size >= 200, 'all 200 committed', 60_000);
    await source.stop();
    assert.deepEqual(committed.twice(), []);
    assert.ok(failures >= 1);
    const leases = await ctx.leaseStore.listLeases(ctx.integrationId);
    assert.deepEqual(leases.map((l) => l.checkpoint?.split('@')[0]).sort(), ['99', '99']);
    // Every partition-1 event delivered before the first rejection came again: delivered more than once, committed once.
    assert.ok(ctx.delivered.filter((m) => m.metadata.partitionId === '1').length > 100, 'partition 1 was read again from its checkpoint');
  });
});

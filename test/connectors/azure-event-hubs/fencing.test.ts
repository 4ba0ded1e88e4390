/**
 * Fencing, in this process on a shared lease store: a checkpoint written by an instance that lost
 * its ownership is refused (LEASE_LOST), in a commit and through the SDK's updateCheckpoint, and
 * that instance stops reading the partition; the new owner resumes at the committed checkpoint.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventHubSource, LeaseCheckpointStore, leaseKey, resolveEventHubsConfig, sdkApiFor } from '../../../src/connectors/azure-event-hubs/index.ts';
import type { CloudbridgeError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { memoryLeaseStore, type DeliveryCall } from '../../support/connector-context.ts';
import { waitFor } from '../../support/wait.ts';
import { committedOf, committingContext, hubConfig, publishNumbered } from './helpers.ts';

describe('azure-event-hubs fencing', () => {
  let azure: AzureDouble;
  before(async () => { azure = await startAzureDouble({ eventHubs: { hubs: [{ name: 'fence', partitions: 1, consumerGroups: ['cg1'] }] } }); });
  after(async () => { await azure.stop(); });

  it('a checkpoint of an instance whose partition was claimed by another is refused with LEASE_LOST; it stops reading', async () => {
    publishNumbered(azure, 'fence', 0, 100, 1);
    const role = memoryLeaseStore();
    const held: DeliveryCall[] = [];
    const ctx = committingContext(role, (_batch, call) => { held.push(call); });
    const c = resolveEventHubsConfig(hubConfig(azure, 'fence', { maxBatchSize: 50 }));
    const source = new EventHubSource({ endpoint: c, host: c.host, keyName: c.keyName, createApi: sdkApiFor, owner: 'instance-a' }, ctx);
    await source.start();
    await waitFor(() => held.length >= 1, 'a delivery held', 20_000);
    const key = leaseKey('localhost', 'fence', 'cg1', '0');
    const [lease] = await role.listLeases(ctx.integrationId);
    assert.equal(lease?.owner, 'instance-a');
    // Instance b claims the partition (a steal with the current token), as its balancer would.
    const stolen = await role.claimLease(ctx.integrationId, key, 'instance-b', lease?.token ?? 0, 6000);
    assert.ok(stolen);
    const committed = committedOf(ctx);
    ctx.mode = 'resolve';
    for (const call of held) call.resolve();
    await waitFor(() => source.status().partitionsReadHere === 0, 'a stops reading the partition', 20_000);
    assert.equal(committed.counts.size, 0, 'nothing of a\'s was committed after the steal');
    const after = (await role.listLeases(ctx.integrationId))[0];
    assert.equal(after?.owner, 'instance-b');
    assert.equal(after?.checkpoint, null, 'the checkpoint a wrote was refused');
    // The SDK's updateCheckpoint on a's store is refused too.
    const store = new LeaseCheckpointStore({ leases: ctx.leases, owner: 'instance-a', ttlMs: 6000, log: silentLogger, lost: () => undefined, held: () => undefined, wantsNewPump: () => false });
    await assert.rejects(
      store.updateCheckpoint({ fullyQualifiedNamespace: 'localhost', eventHubName: 'fence', consumerGroup: 'cg1', partitionId: '0', sequenceNumber: 99, offset: '0' }),
      (err: CloudbridgeError) => err.code === 'LEASE_LOST',
    );
    await source.stop();
  });
});

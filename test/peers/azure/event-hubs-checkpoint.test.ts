/**
 * EventHubConsumerClient.subscribe over all partitions with a checkpoint store against the Azure
 * double: load balancing claims every partition, checkpoints are written, a restarted processor
 * resumes after the checkpoint, and two processors split the partitions (epoch 0 steals).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Checkpoint, CheckpointStore, PartitionOwnership, ReceivedEventData, Subscription } from '@azure/event-hubs';
import { EventHubConsumerClient, earliestEventPosition } from '@azure/event-hubs';
import { startAzureDouble } from './index.ts';
import type { AzureDouble } from './index.ts';
import { waitFor } from '../../support/wait.ts';

/** A CheckpointStore kept in memory, with optimistic concurrency on etags as the SDK expects. */
class MapCheckpointStore implements CheckpointStore {
  readonly ownership = new Map<string, PartitionOwnership>();
  readonly checkpoints = new Map<string, Checkpoint>();
  private etag = 0;

  async listOwnership(): Promise<PartitionOwnership[]> {
    return [...this.ownership.values()].map((o) => ({ ...o }));
  }

  async claimOwnership(claims: PartitionOwnership[]): Promise<PartitionOwnership[]> {
    const won: PartitionOwnership[] = [];
    for (const claim of claims) {
      const current = this.ownership.get(claim.partitionId);
      if (current !== undefined && current.etag !== claim.etag) continue;
      const next = { ...claim, etag: String(++this.etag), lastModifiedTimeInMs: Date.now() };
      this.ownership.set(claim.partitionId, next);
      won.push({ ...next });
    }
    return won;
  }

  async updateCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.checkpoints.set(checkpoint.partitionId, { ...checkpoint });
  }

  async listCheckpoints(): Promise<Checkpoint[]> {
    return [...this.checkpoints.values()].map((c) => ({ ...c }));
  }
}

let double: AzureDouble;
const clients: EventHubConsumerClient[] = [];

function processor(store: CheckpointStore, received: ReceivedEventData[]): { client: EventHubConsumerClient; subscription: Subscription } {
  const client = new EventHubConsumerClient('$Default', double.eventHubs.connectionString('hub1'), store, {
    loadBalancingOptions: { strategy: 'balanced', updateIntervalInMs: 200, partitionOwnershipExpirationIntervalInMs: 2000 },
  });
  clients.push(client);
  const subscription = client.subscribe({
    processEvents: async (events, ctx) => {
      received.push(...events);
      const last = events[events.length - 1];
      if (last !== undefined) await ctx.updateCheckpoint(last);
    },
    processError: async () => undefined,
  }, { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 });
  return { client, subscription };
}


function publishRound(tag: string): void {
  for (const p of ['0', '1', '2', '3']) double.hooks.eventHubs.publish('hub1', [{ body: `${tag}-${p}` }], { partitionId: p });
}

before(async () => {
  double = await startAzureDouble({ eventHubs: { hubs: [{ name: 'hub1', partitions: 4 }] } });
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await double.stop();
});

describe('Event Hubs double with a checkpoint store', () => {
  const store = new MapCheckpointStore();

  it('claims all partitions, delivers everything and writes checkpoints', async () => {
    publishRound('a');
    publishRound('b');
    const received: ReceivedEventData[] = [];
    const { subscription } = processor(store, received);
    await waitFor(() => received.length >= 8 && store.checkpoints.size === 4, 'condition', 20_000);
    assert.deepEqual(received.map((e) => String(e.body)).sort(), ['a-0', 'a-1', 'a-2', 'a-3', 'b-0', 'b-1', 'b-2', 'b-3']);
    assert.equal(new Set([...store.ownership.values()].map((o) => o.ownerId)).size, 1);
    for (const c of store.checkpoints.values()) assert.equal(c.sequenceNumber, 1);
    assert.ok(double.hooks.eventHubs.consumers('hub1').every((c) => c.epoch === 0));
    await subscription.close();
  });

  it('resumes after the checkpoint when restarted', async () => {
    publishRound('c');
    const received: ReceivedEventData[] = [];
    const { subscription } = processor(store, received);
    await waitFor(() => received.length >= 4, 'condition', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(received.map((e) => String(e.body)).sort(), ['c-0', 'c-1', 'c-2', 'c-3']);
    await subscription.close();
  });

  it('splits the partitions between two processors', async () => {
    const shared = new MapCheckpointStore();
    const first = processor(shared, []);
    await waitFor(() => shared.ownership.size === 4, 'condition', 20_000);
    const second = processor(shared, []);
    await waitFor(() => {
      const owners = [...shared.ownership.values()].map((o) => o.ownerId);
      return new Set(owners).size === 2 && owners.filter((o) => o === owners[0]).length === 2;
    }, 'two owners with two partitions each', 20_000);
    await first.subscription.close();
    await second.subscription.close();
  });
});

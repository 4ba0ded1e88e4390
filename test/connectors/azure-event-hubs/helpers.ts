/** Shared pieces of the azure-event-hubs tests: the double, a source on it, a context whose commits write the checkpoints. */
import { CloudbridgeError } from '../../../src/core/errors.ts';
import { azureEventHubsConnector, type EventHubsConfig } from '../../../src/connectors/azure-event-hubs/index.ts';
import type { Connector } from '../../../src/core/connector.ts';
import type { UplinkMessage } from '../../../src/core/model.ts';
import type { LeaseStoreRole } from '../../../src/store/types.ts';
import { createTestContext, memoryLeaseStore, type DeliverMode, type TestConnectorContext } from '../../support/connector-context.ts';
import type { AzureDouble } from '../../peers/azure/index.ts';

/** The config of an integration reading `hub` on the double from its start, balancing fast. */
export function hubConfig(azure: AzureDouble, hub: string, extra: Partial<EventHubsConfig> = {}): EventHubsConfig {
  return {
    connectionString: azure.eventHubs.connectionString(hub),
    consumerGroup: 'cg1',
    startPosition: 'earliest',
    maxWaitTimeMs: 100,
    ownershipExpirationSeconds: 6,
    ...extra,
  };
}

/**
 * A test context whose resolved deliveries write their checkpoint into the shared lease store as
 * the store's commit would (fenced: a stale token fails the delivery with LEASE_LOST).
 */
export function committingContext(role: LeaseStoreRole = memoryLeaseStore(), mode: DeliverMode = 'resolve'): TestConnectorContext {
  const ctx = createTestContext({ leases: role, mode });
  const deliver = ctx.deliver.bind(ctx);
  ctx.deliver = async (batch, signal, options) => {
    const report = await deliver(batch, signal, options);
    const cp = options?.checkpoint;
    if (cp && !await role.writeCheckpoint(ctx.integrationId, cp.partition, cp.lease, cp.position)) {
      committedKeysOf.get(ctx)?.removeBatch(batch);
      throw new CloudbridgeError('LEASE_LOST', `lease of ${cp.partition} lost`, { partition: cp.partition });
    }
    committedKeysOf.get(ctx)?.add(batch);
    return report;
  };
  committedKeysOf.set(ctx, new Committed());
  return ctx;
}

/** What a committing context committed, by sourceKey (a count per key: 2 means stored twice). */
export class Committed {
  readonly counts = new Map<string, number>();
  add(batch: UplinkMessage[]): void {
    for (const m of batch) this.counts.set(m.sourceKey, (this.counts.get(m.sourceKey) ?? 0) + 1);
  }
  removeBatch(_batch: UplinkMessage[]): void {
    // A fenced-out delivery committed nothing: nothing was added for it.
  }
  twice(): string[] {
    return [...this.counts].filter(([, n]) => n > 1).map(([k]) => k);
  }
}

const committedKeysOf = new WeakMap<TestConnectorContext, Committed>();

export function committedOf(ctx: TestConnectorContext): Committed {
  const c = committedKeysOf.get(ctx);
  if (!c) throw new Error('not a committing context');
  return c;
}

export function createSource(azure: AzureDouble, hub: string, ctx: TestConnectorContext, extra: Partial<EventHubsConfig> = {}): Connector {
  return azureEventHubsConnector.create(hubConfig(azure, hub, extra), ctx);
}

/** Publishes `count` events `{"n":i}` (i from `from`) spread over the partitions, in chunks. */
export function publishNumbered(azure: AzureDouble, hub: string, from: number, count: number, partitions = 4): void {
  const chunk = 500;
  for (let start = from; start < from + count; start += chunk) {
    const n = Math.min(chunk, from + count - start);
    for (let p = 0; p < partitions; p++) {
      const events = [];
      for (let i = start; i < start + n; i++) if (i % partitions === p) events.push({ body: Buffer.from(JSON.stringify({ n: i })), properties: { n: i } });
      if (events.length) azure.hooks.eventHubs.publish(hub, events, { partitionId: String(p) });
    }
  }
}

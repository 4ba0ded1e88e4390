/**
 * What a partitioned source needs from its context beyond the common ConnectorContext: the
 * integration's leases (`ctx.leases`) and deliveries that commit a checkpoint with their data
 * (`deliver(batch, signal, { checkpoint })`), both described in src/core/partitions.ts.
 */
import type { ConnectorContext, DeliveryReport } from '../../core/connector.ts';
import { CloudbridgeError } from '../../core/errors.ts';
import type { UplinkMessage } from '../../core/model.ts';
import type { DeliveryCheckpoint, LeaseStore } from '../../core/partitions.ts';

export interface PartitionedContext extends ConnectorContext {
  leases: LeaseStore;
  deliver(batch: UplinkMessage[], signal?: AbortSignal, opts?: { checkpoint?: DeliveryCheckpoint }): Promise<DeliveryReport>;
}

/** The context with its lease store; CONFIG_INVALID when this Cloudbridge gives the connector none. */
export function partitionedContext(ctx: ConnectorContext): PartitionedContext {
  const leases = (ctx as Partial<PartitionedContext>).leases;
  if (!leases) {
    throw new CloudbridgeError('INTERNAL', 'the aws-kinesis connector needs shard leases, which this integration runtime does not provide');
  }
  return ctx as PartitionedContext;
}

/**
 * For connector tests without a store: make a test context's resolved deliveries write their
 * partition checkpoint into a lease store as the store's commit would, fenced by the lease token
 * (a stale token fails the delivery with LEASE_LOST), and bind the context's leases to that store.
 */
import { CloudbridgeError } from '../../src/core/errors.ts';
import { bindLeaseStore } from '../../src/store/leases.ts';
import type { LeaseStoreRole } from '../../src/store/types.ts';
import type { TestConnectorContext } from './connector-context.ts';

export function commitCheckpointsTo(ctx: TestConnectorContext, role: LeaseStoreRole): TestConnectorContext {
  const deliver = ctx.deliver.bind(ctx);
  ctx.deliver = async (batch, signal, options) => {
    const report = await deliver(batch, signal, options);
    const cp = options?.checkpoint;
    if (cp && !await role.writeCheckpoint(ctx.integrationId, cp.partition, cp.lease, cp.position)) {
      throw new CloudbridgeError('LEASE_LOST', `lease of ${cp.partition} lost`, { partition: cp.partition });
    }
    return report;
  };
  ctx.leases = bindLeaseStore(role, ctx.integrationId);
  return ctx;
}

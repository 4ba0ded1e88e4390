/**
 * The connector contract (test/contracts/) for `azure-event-hubs`, against the Azure double with the
 * unmodified SDK: one single-partition event hub per case. The instances a case creates share one
 * lease table (like instances on one database), and the harness writes a resolved delivery's
 * checkpoint into it as the store's commit would (fenced by the lease token), so `unacknowledged`
 * counts the events after the checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { azureEventHubsConnector, leaseKey } from '../../../src/connectors/azure-event-hubs/index.ts';
import { CloudbridgeError } from '../../../src/core/errors.ts';
import { bindLeaseStore } from '../../../src/store/leases.ts';
import { connectorContract } from '../../contracts/connector-contract.ts';
import { startAzureDouble } from '../../peers/azure/index.ts';
import { memoryLeaseStore } from '../../support/connector-context.ts';
import { hubConfig } from './helpers.ts';

const SECRET = Buffer.from(`contract-secret-${randomUUID()}`).toString('base64');
const HUBS = 12;

connectorContract({
  type: 'azure-event-hubs',
  redeliveryTimeoutMs: 20_000,
  checkpoints: {
    partitionOf: (m) => leaseKey('localhost', m.metadata.eventHubName ?? '', 'cg1', m.metadata.partitionId ?? ''),
    positionOf: (m) => `${m.metadata.sequenceNumber ?? ''}@${m.metadata.offset ?? ''}`,
    compare: (a, b) => Number(a.split('@')[0]) - Number(b.split('@')[0]),
  },
  async startPeer() {
    const azure = await startAzureDouble({ eventHubs: {
      keys: [{ name: 'cloudbridge', key: SECRET }],
      hubs: Array.from({ length: HUBS }, (_, i) => ({ name: `contract-${i}`, partitions: 1, consumerGroups: ['cg1'] })),
    } });
    let next = 0;
    return {
      async source() {
        const hub = `contract-${next++}`;
        const role = memoryLeaseStore();
        const config = hubConfig(azure, hub);
        return {
          secrets: [SECRET],
          create(ctx) {
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
            return azureEventHubsConnector.create(config, ctx);
          },
          testConnection: (signal) => azureEventHubsConnector.testConnection(config, signal),
          publish: async (payloads) => { azure.hooks.eventHubs.publish(hub, payloads.map((p) => ({ body: Buffer.from(p) })), { partitionId: '0' }); },
          async unacknowledged() {
            const lease = (await role.listLeases('test-integration'))[0];
            const done = lease?.checkpoint ? Number(lease.checkpoint.split('@')[0]) : -1;
            return azure.hooks.eventHubs.events(hub, '0').filter((e) => e.sequenceNumber > done).length;
          },
          dispose: async () => undefined,
        };
      },
      stop: () => azure.stop(),
    };
  },
});

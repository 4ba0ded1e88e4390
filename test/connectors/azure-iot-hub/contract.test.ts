/**
 * The connector contract (test/contracts/) for `azure-iot-hub`, against the Azure double with the
 * unmodified SDKs: a double per case whose IoT Hub has a one-partition built-in endpoint, found
 * through the hub's redirect. The harness writes a resolved delivery's checkpoint into the case's
 * lease table as the store's commit would (fenced), so `unacknowledged` counts the device messages
 * after the checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { leaseKey } from '../../../src/connectors/azure-event-hubs/index.ts';
import { azureIotHubConnector, type IotHubConfig } from '../../../src/connectors/azure-iot-hub/index.ts';
import { connectorContract } from '../../contracts/connector-contract.ts';
import { startAzureDouble } from '../../peers/azure/index.ts';
import { memoryLeaseStore } from '../../support/connector-context.ts';
import { commitCheckpointsTo } from '../../support/fenced-checkpoints.ts';

const SECRET = Buffer.from(`contract-secret-${randomUUID()}`).toString('base64');
const HUB = 'contract-hub';

connectorContract({
  type: 'azure-iot-hub',
  redeliveryTimeoutMs: 20_000,
  checkpoints: {
    partitionOf: (m) => leaseKey('localhost', m.metadata.eventHubName ?? '', 'cloudbridge', m.metadata.partitionId ?? ''),
    positionOf: (m) => `${m.metadata.sequenceNumber ?? ''}@${m.metadata.offset ?? ''}`,
    compare: (a, b) => Number(a.split('@')[0]) - Number(b.split('@')[0]),
  },
  async startPeer() {
    return {
      async source() {
        const azure = await startAzureDouble({ iotHub: {
          name: HUB, devices: ['dev1'], partitions: 1, consumerGroups: ['cloudbridge'], keys: [{ name: 'cloudbridge', key: SECRET }],
        } });
        const role = memoryLeaseStore();
        const config: IotHubConfig = {
          connectionString: azure.iotHub?.connectionString() ?? '', consumerGroup: 'cloudbridge', startPosition: 'earliest',
          maxWaitTimeMs: 100, ownershipExpirationSeconds: 6,
        };
        return {
          secrets: [SECRET],
          create: (ctx) => azureIotHubConnector.create(config, commitCheckpointsTo(ctx, role)),
          testConnection: (signal) => azureIotHubConnector.testConnection(config, signal),
          publish: async (payloads) => { for (const p of payloads) azure.hooks.iotHub.sendD2c('dev1', { body: Buffer.from(p) }); },
          async unacknowledged() {
            const lease = (await role.listLeases('test-integration'))[0];
            const done = lease?.checkpoint ? Number(lease.checkpoint.split('@')[0]) : -1;
            return azure.hooks.eventHubs.events(HUB, '0').filter((e) => e.sequenceNumber > done).length;
          },
          dispose: () => azure.stop(),
        };
      },
      stop: async () => undefined,
    };
  },
});

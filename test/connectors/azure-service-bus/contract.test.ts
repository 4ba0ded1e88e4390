/** The connector contract (test/contracts/) for `azure-service-bus`, against the Azure double with the unmodified @azure/service-bus. */
import { randomUUID } from 'node:crypto';
import { ServiceBusClient } from '@azure/service-bus';
import { azureServiceBusConnector } from '../../../src/connectors/azure-service-bus/index.ts';
import { connectorContract } from '../../contracts/connector-contract.ts';
import { startAzureDouble } from '../../peers/azure/index.ts';

const SECRET = Buffer.from(`contract-secret-${randomUUID()}`).toString('base64');
const CASES = ['held', 'acked', 'again', 'drain', 'hang', 'secret', 'check'];

connectorContract({
  type: 'azure-service-bus',
  async startPeer() {
    const double = await startAzureDouble({
      serviceBus: { keys: [{ name: 'RootManageSharedAccessKey', key: SECRET }], queues: CASES.map((name) => ({ name, lockDurationMs: 30_000 })) },
    });
    const client = new ServiceBusClient(double.serviceBus.connectionString());
    return {
      async source(name) {
        const config = { connectionString: double.serviceBus.connectionString(), queueName: name };
        return {
          secrets: [SECRET],
          create: (ctx) => azureServiceBusConnector.create(config, ctx),
          testConnection: (signal) => azureServiceBusConnector.testConnection(config, signal),
          publish: async (payloads) => {
            const sender = client.createSender(name);
            await sender.sendMessages(payloads.map((body) => ({ body, messageId: randomUUID() })));
            await sender.close();
          },
          unacknowledged: async () => double.hooks.serviceBus.messages(name).length,
          dispose: async () => undefined,
        };
      },
      stop: async () => {
        await client.close();
        await double.stop();
      },
    };
  },
});

/** The connector contract (test/contracts/) for `mqtt`, against a Mosquitto with a password. */
import { randomUUID } from 'node:crypto';
import { mqttConnector, type MqttConfig } from '../../../src/connectors/mqtt/index.ts';
import { startMosquitto } from '../../peers/mosquitto.ts';
import { connectorContract } from '../../contracts/connector-contract.ts';
import { countSessionMessages, publishAll, testClient, uniqueId } from './mqtt-test-client.ts';

const PASSWORD = `contract-password-${randomUUID()}`;

connectorContract({
  type: 'mqtt',
  async startPeer() {
    const broker = await startMosquitto({ users: { cb: PASSWORD } });
    const publisher = await testClient(broker, { username: 'cb', password: PASSWORD });
    return {
      async source(name) {
        const clientId = uniqueId(`contract-${name}`);
        const topic = `contract/${clientId}`;
        const config: MqttConfig = {
          host: broker.host, port: broker.port, username: 'cb', password: PASSWORD, clientId,
          topicFilters: [{ filter: `${topic}/#`, qos: 1 }], reconnect: { initialDelayMs: 50, maxDelayMs: 200 }, connectTimeoutMs: 3000,
        };
        return {
          secrets: [PASSWORD],
          create: (ctx) => mqttConnector.create(config, ctx),
          testConnection: (signal) => mqttConnector.testConnection(config, signal),
          publish: (payloads) => publishAll(publisher, `${topic}/d1`, payloads),
          unacknowledged: () => countSessionMessages(broker, { clientId, username: 'cb', password: PASSWORD }),
          dispose: async () => undefined,
        };
      },
      async stop() {
        await publisher.endAsync(true);
        await broker.dispose();
      },
    };
  },
});

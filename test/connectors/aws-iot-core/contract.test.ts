/** The connector contract (test/contracts/) for `aws-iot-core`, against the mutual-TLS Mosquitto stand-in. */
import type { MqttClient } from 'mqtt';
import { awsIotCoreConnector } from '../../../src/connectors/aws-iot-core/index.ts';
import { SERVICE_IDENTITY, startAwsIotBroker } from '../../peers/aws-iot-broker.ts';
import { connectorContract } from '../../contracts/connector-contract.ts';
import { countSessionMessages, publishAll } from '../mqtt/mqtt-test-client.ts';
import { awsConfig, uniqueClientId } from './helpers.ts';

connectorContract({
  type: 'aws-iot-core',
  async startPeer() {
    const iot = await startAwsIotBroker();
    const service = await iot.identity(SERVICE_IDENTITY);
    const publishers: MqttClient[] = [];
    return {
      async source(name) {
        const device = uniqueClientId(`contract-${name}`);
        const topic = `devices/${device}/telemetry`;
        const config = await awsConfig(iot, { topicFilters: [{ filter: topic, qos: 1 }] }, service);
        const publisher = await iot.connect(device);
        publishers.push(publisher);
        // A line of the private key's body: it would show unescaped even inside JSON.
        const keyLine = service.key.split('\n').find((l) => l.length > 40) ?? service.key;
        return {
          secrets: [keyLine],
          create: (ctx) => awsIotCoreConnector.create(config, ctx),
          testConnection: (signal) => awsIotCoreConnector.testConnection(config, signal),
          publish: (payloads) => publishAll(publisher, topic, payloads),
          unacknowledged: () => countSessionMessages(iot.broker, { clientId: config.clientId, ca: iot.ca, cert: service.cert, key: service.key, protocolVersion: 5 }),
          dispose: () => publisher.endAsync(true),
        };
      },
      async stop() {
        await Promise.all(publishers.map((p) => p.endAsync(true)));
        await iot.dispose();
      },
    };
  },
});

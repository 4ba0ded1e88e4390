/** The connector contract (test/contracts/) for `ibm-watson-iot`, against the Watson IoT stand-in (Mosquitto, TLS, password, ACL). */
import type { MqttClient } from 'mqtt';
import { watsonIotConnector } from '../../../src/connectors/ibm-watson-iot/index.ts';
import { startWatsonBroker } from '../../peers/watson-broker.ts';
import { connectorContract } from '../../contracts/connector-contract.ts';
import { countSessionMessages, publishAll } from '../mqtt/mqtt-test-client.ts';
import { eventTopic, watsonConfig } from './helpers.ts';

connectorContract({
  type: 'ibm-watson-iot',
  async startPeer() {
    const watson = await startWatsonBroker();
    const devices: MqttClient[] = [];
    return {
      async source(name) {
        const deviceType = `contract-${name}`.replace(/[^A-Za-z0-9-]/g, '-');
        const config = watsonConfig(watson, { events: [{ deviceType }] });
        const device = await watson.device(deviceType, 'd1');
        devices.push(device);
        return {
          secrets: [watson.authToken],
          create: (ctx) => watsonIotConnector.create(config, ctx),
          testConnection: (signal) => watsonIotConnector.testConnection(config, signal),
          publish: (payloads) => publishAll(device, eventTopic(deviceType, 'd1'), payloads),
          unacknowledged: () => countSessionMessages(watson, { clientId: `a:${watson.org}:${config.appId}`, username: watson.apiKey, password: watson.authToken, ca: watson.ca }),
          dispose: () => device.endAsync(true),
        };
      },
      async stop() {
        await Promise.all(devices.map((d) => d.endAsync(true)));
        await watson.dispose();
      },
    };
  },
});

/**
 * The `ibm-watson-iot` connector: receives device events (and optionally device status) from a
 * Watson IoT Platform organization as an application over MQTT with TLS, acknowledges each QoS 1
 * event only after it is stored, and publishes commands to devices. The MQTT machinery is the
 * `mqtt` connector's (MqttSource); no IBM SDK is needed.
 */
import { type CheckResult, type ConnectorDefinition, configCheckFailure } from '../../core/connector.ts';
import { checkMqttConnection } from '../mqtt/index.ts';
import { WatsonIotConfigSpec, watsonClientId } from './config-spec.ts';
import { WATSON_GUIDE } from './guide.ts';
import { WATSON_PITFALLS } from './pitfalls.ts';
import { subscriptionFilters } from './topics.ts';
import { validateWatsonConfig } from './validate.ts';
import { watsonConnectSettings, WatsonIotSource } from './watson-source.ts';

export const watsonIotConnector: ConnectorDefinition<typeof WatsonIotConfigSpec> = {
  type: 'ibm-watson-iot',
  title: 'IBM Watson IoT',
  description: 'Receives device events from an IBM Watson IoT Platform organization as an application (MQTT 3.1.1 over TLS, API key and token), from iot-2/type/<deviceType>/id/<deviceId>/evt/<eventId>/fmt/<format> filtered by device type, device id, event id and format. Each QoS 1 event is acknowledged only after it is stored; a durable session (client id a:<orgId>:<appId>) makes Watson IoT redeliver what was not acknowledged and keep what arrives while Cloudbridge is away. Optionally stores device status messages as the connected attribute. Uplink metadata: deviceType, deviceId, eventId, format, topic. Downlinks are commands published to iot-2/type/<deviceType>/id/<deviceId>/cmd/<commandId>/fmt/<format> from the encoder\'s metadata (ThingsBoard\'s device_type, device_id, command_id keys work too).',
  configSpec: WatsonIotConfigSpec,
  capabilities: { downlink: true, redelivery: 'mqtt-session' },
  validate: (config) => validateWatsonConfig(config).warnings,
  create: (config, ctx) => new WatsonIotSource(config, ctx),
  async testConnection(config, signal): Promise<CheckResult> {
    let c: ReturnType<typeof validateWatsonConfig>['config'];
    try {
      c = validateWatsonConfig(config).config;
    } catch (err) {
      return configCheckFailure(err);
    }
    // Its own standard client id: the integration's would disconnect the running integration.
    const clientId = watsonClientId(c.orgId, `${c.appId}-check`, false);
    const filters = subscriptionFilters(c.events, c.deviceStatus);
    const result = await checkMqttConnection(watsonConnectSettings(c, clientId, config.host !== undefined), { topicFilters: filters, clientId }, signal);
    return result;
  },
  pitfalls: WATSON_PITFALLS,
  guide: WATSON_GUIDE,
};

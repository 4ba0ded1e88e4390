/**
 * The generic `mqtt` connector: subscribes to topic filters on any MQTT broker, acknowledges each
 * QoS 1 message only after it is stored, publishes downlinks with QoS 1.
 */
import { type ConnectorDefinition, configCheckFailure } from '../../core/connector.ts';
import { MqttConfigSpec, resolveMqttConfig, type ResolvedMqttConfig } from './config-spec.ts';
import { checkMqttConnection } from './connection-check.ts';
import type { MqttConnectSettings } from './mqtt-connection.ts';
import { MqttSource, randomClientId } from './mqtt-source.ts';
import { MQTT_GUIDE } from './guide.ts';
import { MQTT_PITFALLS } from './pitfalls.ts';
import { sharingGroup, subscriptionFilters } from './shared-subscription.ts';
import { validateMqttConfig } from './validate.ts';

export function mqttConnectSettings(c: ResolvedMqttConfig, clientId: string): MqttConnectSettings {
  return {
    host: c.host,
    port: c.port,
    tls: c.tls.enabled
      ? { ca: c.tls.ca, cert: c.tls.cert, key: c.tls.key, passphrase: c.tls.passphrase, rejectUnauthorized: c.tls.rejectUnauthorized, servername: c.tls.servername }
      : undefined,
    clientId,
    cleanSession: c.cleanSession,
    keepaliveSeconds: c.keepaliveSeconds,
    protocolVersion: c.protocolVersion,
    username: c.username,
    password: c.password,
    connectTimeoutMs: c.connectTimeoutMs,
  };
}

export const mqttConnector: ConnectorDefinition<typeof MqttConfigSpec> = {
  type: 'mqtt',
  title: 'MQTT broker',
  description: 'Subscribes to topics on any MQTT 3.1.1 or 5 broker (optionally TLS with a client certificate), over one connection or several sharing one broker shared subscription. Each QoS 1 message is acknowledged only after it is stored; un-acknowledged messages are redelivered by the broker through a persistent session. Downlinks are published with QoS 1.',
  configSpec: MqttConfigSpec,
  capabilities: { downlink: true, redelivery: 'mqtt-session' },
  validate: validateMqttConfig,
  create(config, ctx) {
    const c = resolveMqttConfig(config);
    const clientId = c.clientId ?? randomClientId();
    return new MqttSource({
      clientId,
      settings: (id) => mqttConnectSettings(c, id),
      topicFilters: c.topicFilters,
      maxInFlight: c.maxInFlight,
      connections: c.connections,
      sharedGroup: c.sharedGroup,
      reconnect: c.reconnect,
      downlinkTopicPattern: c.downlinkTopicPattern,
    }, ctx);
  },
  async testConnection(config, signal) {
    try {
      validateMqttConfig(config);
    } catch (err) {
      return configCheckFailure(err);
    }
    const c = resolveMqttConfig(config);
    // Shared subscriptions are named, not tried (see connection-check.ts).
    const filters = subscriptionFilters(c.topicFilters, sharingGroup(c, c.clientId ?? 'cloudbridge-<random>'));
    return checkMqttConnection(mqttConnectSettings(c, randomClientId('cloudbridge-check')), { topicFilters: filters }, signal);
  },
  pitfalls: MQTT_PITFALLS,
  guide: MQTT_GUIDE,
};

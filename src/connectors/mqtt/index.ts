/**
 * The `mqtt` connector, and the MQTT building blocks the other MQTT-based connectors
 * (`aws-iot-core`, `ibm-watson-iot`) reuse.
 */
export { mqttConnector, mqttConnectSettings } from './definition.ts';
export { validateMqttConfig } from './validate.ts';
export { MQTT_PITFALLS } from './pitfalls.ts';
export { MqttConfigSpec, MqttTlsSpec, resolveMqttConfig, type MqttConfig, type ResolvedMqttConfig } from './config-spec.ts';
export { MqttSource, randomClientId, type MqttSourceOptions, type MqttSourceStatus } from './mqtt-source.ts';
export type { MqttConnectSettings, MqttTlsSettings, TopicFilter, GrantedSubscription } from './mqtt-connection.ts';
export { applyTlsOptions } from './mqtt-connection.ts';
export { checkMqttConnection, type MqttCheckOptions } from './connection-check.ts';
export { checkTlsMaterial, type TlsMaterial } from './tls-material.ts';
export {
  checkSharing, connectionClientId, defaultSharedGroup, MQTT_CONNECTIONS, sharedGroupProblem, sharingGroup, subscriptionFilters,
} from './shared-subscription.ts';
export type { MqttConnectionStatus } from './mqtt-link.ts';
export { fillTopicPattern, topicPatternKeys, topicPatternProblem, topicFilterProblem } from './topic-pattern.ts';
export { toUplinkMessage, contentSourceKey } from './uplink-message.ts';
export {
  adviseError, connectionClosedError, serverDisconnectError, translateConnectError, type MqttErrorAdvisor, type MqttErrorContext, type MqttErrorSituation,
} from './mqtt-errors.ts';
export * from './spec-parts.ts';

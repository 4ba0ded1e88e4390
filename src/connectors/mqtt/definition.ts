/**
 * The generic `mqtt` connector: subscribes to topic filters on any MQTT broker, acknowledges each
 * QoS 1 message only after it is stored, publishes downlinks with QoS 1.
 */
import type { ConnectorDefinition } from '../../core/connector.ts';
import { CloudbridgeError, toCloudbridgeError } from '../../core/errors.ts';
import { MqttConfigSpec, resolveMqttConfig, type MqttConfig, type ResolvedMqttConfig } from './config-spec.ts';
import { checkMqttConnection } from './connection-check.ts';
import type { MqttConnectSettings } from './mqtt-connection.ts';
import { MqttSource, randomClientId } from './mqtt-source.ts';
import { checkTlsMaterial } from './tls-material.ts';
import { topicFilterProblem, topicPatternProblem } from './topic-pattern.ts';

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

/** Cross-field rules; returns warnings, throws CONFIG_INVALID. */
export function validateMqttConfig(config: MqttConfig): string[] {
  const c = resolveMqttConfig(config);
  const warnings: string[] = [];
  const seen = new Set<string>();
  c.topicFilters.forEach((f, i) => {
    const problem = topicFilterProblem(f.filter);
    if (problem) throw new CloudbridgeError('CONFIG_INVALID', `topicFilters[${i}].filter "${f.filter}" is invalid: ${problem}`, { field: `topicFilters[${i}].filter` });
    if (seen.has(f.filter)) throw new CloudbridgeError('CONFIG_INVALID', `topicFilters[${i}].filter "${f.filter}" is listed twice`, { field: `topicFilters[${i}].filter` });
    seen.add(f.filter);
  });
  const patternProblem = topicPatternProblem(c.downlinkTopicPattern);
  if (patternProblem) throw new CloudbridgeError('CONFIG_INVALID', `downlinkTopicPattern "${c.downlinkTopicPattern}" is invalid: ${patternProblem}`, { field: 'downlinkTopicPattern' });
  if (c.reconnect.maxDelayMs < c.reconnect.initialDelayMs) {
    throw new CloudbridgeError('CONFIG_INVALID', `reconnect.maxDelayMs (${c.reconnect.maxDelayMs}) must not be below reconnect.initialDelayMs (${c.reconnect.initialDelayMs})`, { field: 'reconnect.maxDelayMs' });
  }
  if (c.password !== undefined && c.username === undefined) {
    throw new CloudbridgeError('CONFIG_INVALID', 'password is set without username: MQTT sends a password only together with a user name', { field: 'username' });
  }
  if (c.tls.enabled) {
    warnings.push(...checkTlsMaterial(c.tls));
    if (!c.tls.rejectUnauthorized) warnings.push('tls.rejectUnauthorized is false: the broker certificate is not verified, so anyone in the network path can read and alter the traffic');
  } else if (c.tls.ca || c.tls.cert || c.tls.key) {
    warnings.push('tls.ca/cert/key are set but tls.enabled is false: the connection is NOT encrypted and the certificates are ignored');
  }
  if (!c.cleanSession && !c.clientId) {
    warnings.push('cleanSession is false but no clientId is set: a random client id is generated at every start, so the broker cannot resume the persistent session and messages published while Cloudbridge was stopped are lost. Set a fixed clientId unique to this integration');
  }
  if (c.cleanSession) {
    warnings.push('cleanSession is true: messages not yet stored when the connection drops are lost, because the broker forgets the session');
  }
  const qos0 = c.topicFilters.filter((f) => f.qos === 0).map((f) => `"${f.filter}"`);
  if (qos0.length > 0) warnings.push(`topic filters ${qos0.join(', ')} use QoS 0: their messages are delivered at most once and lost on any failure`);
  return warnings;
}

export const mqttConnector: ConnectorDefinition<typeof MqttConfigSpec> = {
  type: 'mqtt',
  title: 'MQTT broker',
  description: 'Subscribes to topics on any MQTT 3.1.1 or 5 broker (optionally TLS with a client certificate). Each QoS 1 message is acknowledged only after it is stored; un-acknowledged messages are redelivered by the broker through a persistent session. Downlinks are published with QoS 1.',
  configSpec: MqttConfigSpec,
  capabilities: { downlink: true, redelivery: 'mqtt-session' },
  validate: validateMqttConfig,
  create(config, ctx) {
    const c = resolveMqttConfig(config);
    const clientId = c.clientId ?? randomClientId();
    return new MqttSource({
      settings: () => mqttConnectSettings(c, clientId),
      topicFilters: c.topicFilters,
      maxInFlight: c.maxInFlight,
      reconnect: c.reconnect,
      downlinkTopicPattern: c.downlinkTopicPattern,
    }, ctx);
  },
  async testConnection(config, signal) {
    try {
      validateMqttConfig(config);
    } catch (err) {
      const error = toCloudbridgeError(err, 'CONFIG_INVALID');
      return { ok: false, checks: [{ name: 'config', ok: false, message: error.message }], error: { code: error.code, message: error.message } };
    }
    const c = resolveMqttConfig(config);
    return checkMqttConnection(mqttConnectSettings(c, randomClientId('cloudbridge-check')), { topicFilters: c.topicFilters }, signal);
  },
  pitfalls: [
    { symptom: 'Messages published while Cloudbridge was stopped never arrive.', fix: 'Set cleanSession to false and a fixed clientId: only a persistent session makes the broker keep them. Also subscribe with QoS 1; QoS 0 messages are never queued.' },
    { symptom: 'The integration connects and disconnects in a loop.', fix: 'Another client uses the same clientId (another instance, or a second integration): give each its own clientId.' },
    { symptom: 'Mosquitto loses messages under load although every publish was acknowledged.', fix: 'Raise max_queued_messages on the broker (Mosquitto defaults to 1000 queued messages per client and drops the rest silently).' },
    { symptom: 'A topic filter was removed from the config but its messages still arrive.', fix: 'A persistent session keeps its subscriptions: change clientId, or start once with cleanSession true to clear the session.' },
    { symptom: 'Subscribing succeeds but no message ever arrives on a topic.', fix: 'Mosquitto grants subscriptions its ACL denies and then silently filters the messages: check the broker ACL for the user/certificate.' },
    { symptom: 'After a reconnect, a message with exactly the topic and payload of one stored shortly before is counted as a duplicate.', fix: 'Redelivered (DUP) and retained messages are recognised by a hash of topic and payload, so an identical legitimate message that the broker redelivers within the dedupe retention is dropped once. Include a timestamp or counter in payloads that must all be kept.' },
    { symptom: 'With MQTT 3.1.1 the integration reconnects about every 1.5 x keepaliveSeconds while the store is slow or down.', fix: 'Expected: with maxInFlight messages waiting, Cloudbridge stops reading the socket, which also delays keepalive answers; nothing is lost. protocolVersion 5 avoids it (the broker is told the limit), as does a larger keepaliveSeconds.' },
    { symptom: 'Downlink fails with DOWNLINK_FAILED naming a missing key.', fix: 'The downlink converter must return every ${key} of downlinkTopicPattern in its metadata (with the default ${topic}, metadata.topic).' },
  ],
};

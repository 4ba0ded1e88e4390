/**
 * Cross-field rules of the `mqtt` connector, run when the config is saved and in the connection
 * check: CONFIG_INVALID naming the field for what cannot work (an invalid or repeated topic
 * filter, a password without user name, a shared-subscription setting that cannot work); warnings for what works but loses messages (QoS 0, a
 * clean session, a persistent session without a fixed client id, TLS not verified).
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { resolveMqttConfig, type MqttConfig } from './config-spec.ts';
import { checkSharing } from './shared-subscription.ts';
import { checkTlsMaterial } from './tls-material.ts';
import { topicFilterProblem, topicPatternProblem } from './topic-pattern.ts';

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
  checkSharing(c);
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

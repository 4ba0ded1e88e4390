/**
 * "Check connection" for MQTT-based connectors: connect, optionally subscribe, disconnect.
 *
 * It connects with its own client id and a clean session: reusing the integration's client id
 * would disconnect the running integration, and a clean session under that id would erase the
 * persistent session holding its un-acknowledged messages. Shared subscriptions ($share/...) are
 * not tried, because a test member of the group would take messages away from the integration.
 */
import type { CheckResult } from '../../core/connector.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import { MqttConnection, type MqttConnectSettings, type TopicFilter } from './mqtt-connection.ts';
import { randomClientId } from './mqtt-source.ts';

export interface MqttCheckOptions {
  topicFilters: TopicFilter[];
  /** Subscribe to the (non-shared) filters to check permissions (default true). */
  subscribe?: boolean;
  /** Client id for the check (default: a random `cloudbridge-check-…`). */
  clientId?: string;
}

function describeEndpoint(s: MqttConnectSettings): string {
  const scheme = s.tls ? 'mqtts' : 'mqtt';
  const as = s.username ? ` as user "${s.username}"` : '';
  const cert = s.tls?.cert ? ' with a client certificate' : '';
  return `${scheme}://${s.host}:${s.port}${as}${cert} (MQTT ${s.protocolVersion === 5 ? '5' : '3.1.1'})`;
}

export async function checkMqttConnection(settings: MqttConnectSettings, opts: MqttCheckOptions, signal: AbortSignal): Promise<CheckResult> {
  const checks: CheckResult['checks'] = [];
  const probe: MqttConnectSettings = { ...settings, clientId: opts.clientId ?? randomClientId('cloudbridge-check'), cleanSession: true };
  let conn: MqttConnection | null = null;
  try {
    conn = await MqttConnection.open(probe, {
      onMessage: (_c, _packet, done) => done(),
      onClose: () => undefined,
    }, signal);
    checks.push({ name: 'connect', ok: true, message: `connected to ${describeEndpoint(probe)}` });
    if (opts.subscribe ?? true) {
      const shared = opts.topicFilters.filter((f) => f.filter.startsWith('$share/'));
      const plain = opts.topicFilters.filter((f) => !f.filter.startsWith('$share/'));
      if (plain.length > 0) {
        const granted = await conn.subscribe(plain);
        const list = granted.map((g) => `"${g.filter}" (QoS ${g.grantedQos})`).join(', ');
        checks.push({ name: 'subscribe', ok: true, message: `subscribed to ${granted.length} filter${granted.length === 1 ? '' : 's'}: ${list}` });
        const downgraded = granted.filter((g) => g.grantedQos < g.requestedQos);
        if (downgraded.length > 0) {
          checks.push({ name: 'qos', ok: false, message: `the broker granted only QoS 0 for ${downgraded.map((g) => `"${g.filter}"`).join(', ')}: those messages are not redelivered after a failure` });
        }
      }
      if (shared.length > 0) {
        checks.push({ name: 'subscribe-shared', ok: true, message: `not tried for ${shared.map((f) => `"${f.filter}"`).join(', ')}: a test member of a shared subscription would take messages from the running integration` });
      }
    }
    await conn.close({ graceful: true, timeoutMs: 2000 });
    return { ok: checks.every((c) => c.ok), checks };
  } catch (err) {
    const error = toCloudbridgeError(err, 'CONNECTION_FAILED');
    checks.push({ name: checks.length === 0 ? 'connect' : 'subscribe', ok: false, message: error.message });
    if (conn) await conn.close({ graceful: false });
    return { ok: false, checks, error: { code: error.code, message: error.message } };
  }
}

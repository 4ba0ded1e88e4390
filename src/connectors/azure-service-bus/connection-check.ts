/**
 * "Check connection" for `azure-service-bus`: a peek at the entity (no lock, no delivery count),
 * which proves the connection string, the Listen right and that the entity exists, without
 * consuming anything.
 */
import type { CheckResult } from '../../core/connector.ts';
import type { ResolvedServiceBusConfig } from './config-spec.ts';
import type { ServiceBusApi } from './service-bus-api.ts';
import { translateServiceBusError } from './service-bus-errors.ts';

export async function checkServiceBusConnection(c: ResolvedServiceBusConfig, api: ServiceBusApi, signal: AbortSignal): Promise<CheckResult> {
  const checks: CheckResult['checks'] = [];
  const receiver = api.receiver();
  try {
    const peeked = await receiver.peek(1, signal);
    checks.push({ name: 'credentials', ok: true, message: `shared access policy "${c.connection.keyName}" accepted by ${c.connection.host} with Listen` });
    const next = peeked[0];
    checks.push({
      name: 'entity', ok: true,
      message: `"${c.entityPath}" found: ${next === undefined ? 'no message waiting' : `messages waiting (next sequence number ${String(next.sequenceNumber)}${next.sessionId === undefined ? '' : `, session "${next.sessionId}"`})`}`,
    });
    if (c.downlinkQueueOrTopic) checks.push({ name: 'downlink', ok: true, message: `not tried: a test send to "${c.downlinkQueueOrTopic}" would deliver a message; a missing Send right shows when a downlink is sent` });
    return { ok: true, checks };
  } catch (err) {
    const error = translateServiceBusError(err, { operation: `peek at "${c.entityPath}"`, entityField: c.entityField, right: 'Listen', host: c.connection.host, keyName: c.connection.keyName });
    checks.push({ name: 'entity', ok: false, message: error.message });
    return { ok: false, checks, error: { code: error.code, message: error.message } };
  } finally {
    await receiver.close().catch(() => undefined);
    await api.close().catch(() => undefined);
  }
}

/**
 * @azure/service-bus errors → the Cloudbridge catalogue, with the field and the fix, never a key:
 * Unauthorized (which right the policy lacks), a missing entity (which field names it), a session
 * mismatch, quota, server busy, network failures. Lock losses are not errors the user sees: the
 * source counts them as redeliveries (`isLockLost`).
 */
import { CloudbridgeError } from '../../core/errors.ts';

export interface ServiceBusErrorContext {
  /** What was being done, e.g. `receive from "telemetry"`. */
  operation: string;
  /** The config field naming the entity involved. */
  entityField: string;
  /** Listen for receiving, Send for downlinks. */
  right: 'Listen' | 'Send';
  host: string;
  keyName: string;
}

export function serviceBusErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** MessageLockLost / SessionLockLost: the message comes back (delivery count + 1); not an error. */
export function isLockLost(err: unknown): boolean {
  const code = serviceBusErrorCode(err);
  return code === 'MessageLockLost' || code === 'SessionLockLost';
}

/** No session free right now (acceptNextSession): wait and ask again. */
export function isNoSession(err: unknown): boolean {
  const code = serviceBusErrorCode(err);
  return code === 'ServiceTimeout' || code === 'SessionCannotBeLocked' || /no unlocked sessions/i.test(messageOf(err));
}

/** The entity requires sessions and a non-session receiver was attached. */
export function requiresSessions(err: unknown): boolean {
  return /requires sessions/i.test(messageOf(err));
}

/** A session receiver was attached to an entity without sessions. */
export function refusesSessions(err: unknown): boolean {
  return /does not require sessions/i.test(messageOf(err));
}

/** Strips anything that looks like a key or signature from an SDK message. */
function clean(text: string): string {
  return text.replace(/(SharedAccessKey|SharedAccessSignature|sig)=[^;&\s]+/gi, '$1=***');
}

export function translateServiceBusError(err: unknown, c: ServiceBusErrorContext): CloudbridgeError {
  if (err instanceof CloudbridgeError) return err;
  const code = serviceBusErrorCode(err);
  const text = clean(messageOf(err));
  const opts = { cause: err };
  switch (code) {
    case 'UnauthorizedAccess':
      return new CloudbridgeError('AUTH_FAILED', `Service Bus refused the shared access policy "${c.keyName}" on ${c.host} to ${c.operation}: the key is wrong or rotated, or the policy lacks the ${c.right} right${c.right === 'Send' ? '' : ' (and Send, for downlinks)'}, or it is scoped to another entity. Copy the connection string of a policy with ${c.right} on this namespace or entity. (${text})`, { field: 'connectionString' }, opts);
    case 'MessagingEntityNotFound':
      return new CloudbridgeError('NOT_FOUND', `Service Bus has no such entity to ${c.operation} on ${c.host}: check ${c.entityField} (names are per namespace; a subscription is reached as topicName + subscriptionName). (${text})`, { field: c.entityField }, opts);
    case 'MessagingEntityDisabled':
      return new CloudbridgeError('PERMISSION_DENIED', `the entity is disabled (${c.operation}): enable it in the portal (status Active, or ReceiveDisabled off). (${text})`, { field: c.entityField }, opts);
    case 'QuotaExceeded':
      return new CloudbridgeError('CONNECTION_FAILED', `Service Bus quota exceeded while trying to ${c.operation}: the entity is full (max size) or the namespace has too many connections or receivers. Drain or enlarge the entity, or reduce other consumers. (${text})`, { field: c.entityField }, opts);
    case 'ServiceBusy':
      return new CloudbridgeError('CONNECTION_FAILED', `Service Bus is busy (throttled) while trying to ${c.operation}; Cloudbridge retries. If it lasts, the namespace needs more capacity (Premium messaging units). (${text})`, {}, opts);
    case 'MessageSizeExceeded':
      return new CloudbridgeError('DOWNLINK_FAILED', `the message is larger than the entity allows (256 KB Standard, up to 100 MB Premium): make the downlink smaller. (${text})`, { field: 'downlinkConverter' }, { cause: err, retryable: false });
    case 'SessionCannotBeLocked':
    case 'SessionLockLost':
    case 'MessageLockLost':
      return new CloudbridgeError('CONNECTION_FAILED', `Service Bus lock lost while trying to ${c.operation}; the messages come back and are recognised as duplicates. (${text})`, {}, opts);
    default:
      break;
  }
  if (requiresSessions(err)) {
    return new CloudbridgeError('CONFIG_INVALID', `the entity requires sessions but sessions is "off": set sessions to "auto" or "on". (${text})`, { field: 'sessions' }, opts);
  }
  if (refusesSessions(err)) {
    return new CloudbridgeError('CONFIG_INVALID', `sessions is "on" but the entity does not require sessions: set sessions to "auto" or "off". (${text})`, { field: 'sessions' }, opts);
  }
  if (/SessionId was not set/i.test(text)) {
    return new CloudbridgeError('DOWNLINK_FAILED', `downlinkQueueOrTopic requires sessions: the downlink converter must return metadata.sessionId. (${text})`, { field: 'downlinkConverter' }, { cause: err, retryable: false });
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(text) || code === 'ENOTFOUND') {
    return new CloudbridgeError('CONNECTION_FAILED', `the Service Bus namespace host ${c.host} could not be resolved: check the Endpoint of the connection string. (${text})`, { field: 'connectionString' }, { cause: err, retryable: false });
  }
  if (code === 'ServiceTimeout' || /ETIMEDOUT|timed? ?out/i.test(text)) {
    return new CloudbridgeError('CONNECTION_TIMEOUT', `Service Bus did not answer in time (${c.operation} on ${c.host}): check the network (AMQP port 5671 outbound, or WebSockets on 443). (${text})`, {}, opts);
  }
  return new CloudbridgeError('CONNECTION_FAILED', `could not ${c.operation} on ${c.host}: ${text}`, {}, opts);
}

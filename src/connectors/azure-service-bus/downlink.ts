/**
 * An EncodedDownlink → a ServiceBusMessage for `downlinkQueueOrTopic`. The body is the encoded
 * bytes (content type application/json for JSON, text/plain for TEXT, none for BINARY). These
 * metadata keys set the message's own fields: messageId, sessionId, correlationId, subject,
 * timeToLiveSeconds, scheduledEnqueueTime (ISO time or epoch ms); every other key becomes an
 * application property.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import type { ServiceBusMessage } from './service-bus-api.ts';

const FIELD_KEYS = new Set(['messageId', 'sessionId', 'correlationId', 'subject', 'timeToLiveSeconds', 'scheduledEnqueueTime']);
const CONTENT_TYPES: Record<string, string | undefined> = { JSON: 'application/json', TEXT: 'text/plain', BINARY: undefined };

function fail(message: string): CloudbridgeError {
  return new CloudbridgeError('DOWNLINK_FAILED', message, { field: 'downlinkConverter' }, { retryable: false });
}

function scheduledTime(v: string): Date {
  const d = /^\d{1,15}$/.test(v) ? new Date(Number(v)) : new Date(v);
  if (Number.isNaN(d.getTime())) throw fail(`downlink metadata scheduledEnqueueTime "${v}" is neither an ISO time nor epoch ms`);
  return d;
}

export function buildServiceBusMessage(msg: EncodedDownlink): ServiceBusMessage {
  const m = msg.metadata;
  const out: ServiceBusMessage = { body: Buffer.from(msg.data) };
  const contentType = CONTENT_TYPES[msg.contentType];
  if (contentType !== undefined) out.contentType = contentType;
  const props: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) if (!FIELD_KEYS.has(k)) props[k] = v;
  if (Object.keys(props).length > 0) out.applicationProperties = props;
  if (m.messageId) out.messageId = m.messageId;
  if (m.sessionId) out.sessionId = m.sessionId;
  if (m.correlationId) out.correlationId = m.correlationId;
  if (m.subject) out.subject = m.subject;
  if (m.timeToLiveSeconds !== undefined) {
    const ttl = Number(m.timeToLiveSeconds);
    if (!Number.isFinite(ttl) || ttl <= 0) throw fail(`downlink metadata timeToLiveSeconds "${m.timeToLiveSeconds}" must be a positive number`);
    out.timeToLive = ttl * 1000;
  }
  if (m.scheduledEnqueueTime) out.scheduledEnqueueTimeUtc = scheduledTime(m.scheduledEnqueueTime);
  return out;
}

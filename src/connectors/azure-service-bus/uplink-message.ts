/**
 * A received Service Bus message → UplinkMessage: the body as bytes (a Buffer as is, a string as
 * UTF-8, anything else, e.g. a JSON body the SDK decoded, as JSON), the message id as dedupe key,
 * the enqueued time as source timestamp, and metadata for the converter: every application
 * property under its own name, then messageId, sequenceNumber, deliveryCount, enqueuedTime (ISO),
 * sessionId, correlationId, contentType, subject (these system keys win over properties of the
 * same name).
 */
import type { UplinkMessage } from '../../core/model.ts';
import type { ServiceBusReceivedMessage } from './service-bus-api.ts';

function text(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (isLong(v)) return String(v);
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** The SDK's sequence numbers are `Long` objects. */
function isLong(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'low' in v && 'high' in v && 'unsigned' in v;
}

export function payloadOf(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body ?? null), 'utf8');
}

/** The message's identity at the source: its MessageId (Service Bus always has one: the broker assigns it when the sender gives none). */
export function sourceKeyOf(m: ServiceBusReceivedMessage): string {
  return m.messageId === undefined ? `seq:${text(m.sequenceNumber)}` : String(m.messageId);
}

export function toUplinkMessage(m: ServiceBusReceivedMessage, receivedAt: number): UplinkMessage {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.applicationProperties ?? {})) {
    if (v !== undefined && v !== null) metadata[k] = text(v);
  }
  const system: Record<string, unknown> = {
    messageId: m.messageId, sequenceNumber: m.sequenceNumber, deliveryCount: m.deliveryCount,
    enqueuedTime: m.enqueuedTimeUtc, sessionId: m.sessionId, correlationId: m.correlationId,
    contentType: m.contentType, subject: m.subject,
  };
  for (const [k, v] of Object.entries(system)) {
    if (v !== undefined && v !== null) metadata[k] = text(v);
  }
  const message: UplinkMessage = { payload: payloadOf(m.body), metadata, sourceKey: sourceKeyOf(m), receivedAt, dedupe: 'check' };
  const enqueued = m.enqueuedTimeUtc?.getTime();
  if (enqueued !== undefined && Number.isFinite(enqueued)) message.sourceTimestamp = enqueued;
  return message;
}

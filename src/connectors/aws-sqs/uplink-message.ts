/**
 * Turns a received SQS message into an UplinkMessage: the body as bytes (never parsed), the
 * MessageId as dedupe key, `SentTimestamp` as the source timestamp (the time of telemetry the
 * converter returns without ts), and metadata for the converter:
 *   messageId, approximateReceiveCount, approximateFirstReceiveTimestamp, sentTimestamp,
 *   messageGroupId, sequenceNumber, messageDeduplicationId (FIFO), and every message attribute
 *   under its own name (String/Number as text, Binary as base64). These system keys win over
 *   message attributes of the same name.
 */
import type { UplinkMessage } from '../../core/model.ts';
import type { SqsMessageAttribute, SqsReceivedMessage } from './sqs-api.ts';

const SYSTEM_METADATA: Array<[attribute: string, key: string]> = [
  ['ApproximateReceiveCount', 'approximateReceiveCount'],
  ['ApproximateFirstReceiveTimestamp', 'approximateFirstReceiveTimestamp'],
  ['SentTimestamp', 'sentTimestamp'],
  ['MessageGroupId', 'messageGroupId'],
  ['SequenceNumber', 'sequenceNumber'],
  ['MessageDeduplicationId', 'messageDeduplicationId'],
];

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function attributeText(a: SqsMessageAttribute): string {
  if (a.dataType.startsWith('Binary')) return a.binaryValue ? Buffer.from(a.binaryValue).toString('base64') : '';
  return a.stringValue ?? '';
}

/** Strictly decodes standard base64 (whitespace ignored); null when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return null;
  return Buffer.from(compact, 'base64');
}

/** SQS `SentTimestamp` (epoch ms as text), when it is a plausible epoch ms. */
function sentTimestamp(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

export function toUplinkMessage(m: SqsReceivedMessage, receivedAt: number, bodyEncoding: 'text' | 'base64'): UplinkMessage {
  const metadata: Record<string, string> = {};
  for (const [name, attr] of Object.entries(m.messageAttributes)) metadata[name] = attributeText(attr);
  metadata.messageId = m.messageId;
  for (const [attribute, key] of SYSTEM_METADATA) {
    const v = m.attributes[attribute];
    if (v !== undefined) metadata[key] = v;
  }
  let payload: Uint8Array = Buffer.from(m.body, 'utf8');
  if (bodyEncoding === 'base64') {
    const decoded = decodeBase64(m.body);
    if (decoded) payload = decoded;
    metadata.bodyEncoding = decoded ? 'base64' : 'text';
  }
  const message: UplinkMessage = { payload, metadata, sourceKey: m.messageId, receivedAt, dedupe: 'check' };
  const sent = sentTimestamp(m.attributes.SentTimestamp);
  if (sent !== undefined) message.sourceTimestamp = sent;
  return message;
}

/**
 * Encodes messages the double itself originates (injected events, feedback, management replies
 * carrying messages) the way the SDKs encode theirs: a Buffer body as one `data` section, any
 * other body as JSON in a `data` section, which the SDKs decode back to the original value.
 */
import rhea from 'rhea';
import type { Message } from 'rhea';
import { encodeMessage } from './rhea-access.ts';

export interface MessageSpec {
  body: unknown;
  /** Application properties. */
  properties?: Record<string, unknown>;
  /** Message annotations (typed rhea values allowed). */
  annotations?: Record<string, unknown>;
  messageId?: string;
  correlationId?: string;
  contentType?: string;
  contentEncoding?: string;
  subject?: string;
  to?: string;
  timeToLiveMs?: number;
  /** Service Bus session id (AMQP `group_id`). */
  sessionId?: string;
}

export function encodeBody(body: unknown): unknown {
  if (Buffer.isBuffer(body)) return rhea.message.data_section(body);
  if (body instanceof Uint8Array) return rhea.message.data_section(Buffer.from(body));
  return rhea.message.data_section(Buffer.from(JSON.stringify(body ?? null), 'utf8'));
}

export function buildMessage(spec: MessageSpec): Buffer {
  const msg: Message = { body: encodeBody(spec.body) };
  if (spec.properties !== undefined) msg.application_properties = spec.properties;
  if (spec.annotations !== undefined) msg.message_annotations = spec.annotations;
  if (spec.messageId !== undefined) msg.message_id = spec.messageId;
  if (spec.correlationId !== undefined) msg.correlation_id = spec.correlationId;
  if (spec.contentType !== undefined) msg.content_type = spec.contentType;
  if (spec.contentEncoding !== undefined) msg.content_encoding = spec.contentEncoding;
  if (spec.subject !== undefined) msg.subject = spec.subject;
  if (spec.to !== undefined) msg.to = spec.to;
  if (spec.timeToLiveMs !== undefined) msg.ttl = spec.timeToLiveMs;
  if (spec.sessionId !== undefined) msg.group_id = spec.sessionId;
  return encodeMessage(msg);
}

/** Decodes a stored message's body the way the SDKs do (JSON data sections become values). */
export function decodeBody(msg: Message): unknown {
  const body = msg.body as { typecode?: number; content?: unknown; multiple?: boolean } | undefined;
  if (body !== undefined && body !== null && body.typecode === 0x75 && Buffer.isBuffer(body.content)) {
    const text = body.content.toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return body.content;
    }
  }
  if (body !== undefined && body !== null && typeof body === 'object' && 'typecode' in body) return body.content;
  return body;
}

/**
 * Raw AMQP message handling. The double stores every message as the encoded bytes it received
 * and builds each delivery by splicing: a new header, new delivery annotations and merged message
 * annotations, followed by the original properties, application properties, body and footer
 * bytes. Body and property encodings therefore reach the consumer exactly as the producer sent them.
 */
import rhea from 'rhea';
import type { Message, Typed } from 'rhea';
import { describedHeader, describedProperties, decodeMessage, newReader, newWriter } from './rhea-access.ts';

const SECTION = {
  header: 0x70,
  deliveryAnnotations: 0x71,
  messageAnnotations: 0x72,
  properties: 0x73,
  applicationProperties: 0x74,
  footer: 0x78,
} as const;

const SYMBOLIC: Record<string, number> = {
  'amqp:header:list': 0x70,
  'amqp:delivery-annotations:map': 0x71,
  'amqp:message-annotations:map': 0x72,
  'amqp:properties:list': 0x73,
  'amqp:application-properties:map': 0x74,
  'amqp:data:binary': 0x75,
  'amqp:amqp-sequence:list': 0x76,
  'amqp:value:*': 0x77,
  'amqp:footer:map': 0x78,
};

export interface RawSections {
  header?: Buffer;
  messageAnnotations?: Typed;
  properties?: Buffer;
  applicationProperties?: Buffer;
  /** Body sections and footer, byte for byte. */
  rest: Buffer;
}

function sectionCode(section: Typed): number | undefined {
  const d: unknown = section.descriptor?.value;
  if (typeof d === 'number') return d;
  if (typeof d === 'string') return SYMBOLIC[d];
  if (Buffer.isBuffer(d) && d.length === 8) return Number(d.readBigUInt64BE());
  return undefined;
}

export function splitSections(raw: Buffer): RawSections {
  const reader = newReader(raw);
  const out: RawSections = { rest: Buffer.alloc(0) };
  const rest: Buffer[] = [];
  while (reader.remaining() > 0) {
    const start = reader.position;
    const section = reader.read();
    const bytes = raw.subarray(start, reader.position);
    switch (sectionCode(section)) {
      case SECTION.header: out.header = bytes; break;
      case SECTION.deliveryAnnotations: break;
      case SECTION.messageAnnotations: out.messageAnnotations = section; break;
      case SECTION.properties: out.properties = bytes; break;
      case SECTION.applicationProperties: out.applicationProperties = bytes; break;
      default: rest.push(bytes);
    }
  }
  out.rest = Buffer.concat(rest);
  return out;
}

function writeTyped(sections: unknown[]): Buffer {
  const writer = newWriter();
  for (const s of sections) writer.write(s);
  return writer.toBuffer();
}

function symbolMap(entries: Record<string, unknown>, code: number): unknown {
  return rhea.types.described(rhea.types.wrap_ulong(code), rhea.types.wrap_symbolic_map(entries));
}

/** The message annotations of a raw message as a key → typed value map (types preserved). */
export function typedAnnotations(section: Typed | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const items = section?.value as Typed[] | undefined;
  if (!Array.isArray(items)) return out;
  for (let i = 0; i + 1 < items.length; i += 2) {
    const key = items[i];
    if (key !== undefined) out[String(key.value)] = items[i + 1];
  }
  return out;
}

export interface DeliveryOverrides {
  header?: Record<string, unknown>;
  deliveryAnnotations?: Record<string, unknown>;
  messageAnnotations?: Record<string, unknown>;
  properties?: Buffer;
  applicationProperties?: Buffer;
}

/** Builds the bytes of one outgoing delivery from a stored raw message. */
export function composeDelivery(raw: Buffer, overrides: DeliveryOverrides = {}): Buffer {
  const parts = splitSections(raw);
  const chunks: Buffer[] = [];
  if (overrides.header !== undefined) {
    const original = parts.header === undefined ? {} : headerFields(parts.header);
    chunks.push(writeTyped([describedHeader({ ...original, ...overrides.header })]));
  } else if (parts.header !== undefined) {
    chunks.push(parts.header);
  }
  if (overrides.deliveryAnnotations !== undefined && Object.keys(overrides.deliveryAnnotations).length > 0) {
    chunks.push(writeTyped([symbolMap(overrides.deliveryAnnotations, SECTION.deliveryAnnotations)]));
  }
  const annotations = { ...typedAnnotations(parts.messageAnnotations), ...(overrides.messageAnnotations ?? {}) };
  if (Object.keys(annotations).length > 0) chunks.push(writeTyped([symbolMap(annotations, SECTION.messageAnnotations)]));
  const properties = overrides.properties ?? parts.properties;
  if (properties !== undefined) chunks.push(properties);
  const appProps = overrides.applicationProperties ?? parts.applicationProperties;
  if (appProps !== undefined) chunks.push(appProps);
  chunks.push(parts.rest);
  return Buffer.concat(chunks);
}

function headerFields(headerBytes: Buffer): Record<string, unknown> {
  const m = decodeMessage(headerBytes) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['durable', 'priority', 'ttl', 'first_acquirer', 'delivery_count']) {
    if (m[k] !== undefined) out[k] = m[k];
  }
  return out;
}

/** Encodes an application-properties section from plain values. */
export function encodeApplicationProperties(props: Record<string, unknown>): Buffer {
  return writeTyped([rhea.types.described(rhea.types.wrap_ulong(SECTION.applicationProperties), rhea.types.wrap_map(props))]);
}

/** Encodes a properties section from the fields of a rhea message. */
export function encodeProperties(fields: Record<string, unknown>): Buffer {
  return writeTyped([describedProperties(fields)]);
}

const PROPERTY_FIELDS = ['message_id', 'user_id', 'to', 'subject', 'reply_to', 'correlation_id', 'content_type',
  'content_encoding', 'absolute_expiry_time', 'creation_time', 'group_id', 'group_sequence', 'reply_to_group_id'];

/** The properties-section fields of a decoded message. */
export function propertyFields(msg: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const m = msg as unknown as Record<string, unknown>;
  for (const k of PROPERTY_FIELDS) if (m[k] !== undefined) out[k] = m[k];
  return out;
}

/** Decodes a stored raw message (for reading fields; never re-encoded for delivery). */
export function peekMessage(raw: Buffer): Message {
  return decodeMessage(raw);
}

/** Replaces fields of the properties section, keeping the rest of the message bytes. */
export function withProperties(raw: Buffer, fields: Record<string, unknown>): Buffer {
  const current = propertyFields(decodeMessage(raw));
  return composeDelivery(raw, { properties: encodeProperties({ ...current, ...fields }) });
}

/** Merges plain values into the application properties, keeping the rest of the message bytes. */
export function withApplicationProperties(raw: Buffer, props: Record<string, unknown>): Buffer {
  const current = decodeMessage(raw).application_properties ?? {};
  return composeDelivery(raw, { applicationProperties: encodeApplicationProperties({ ...current, ...props }) });
}

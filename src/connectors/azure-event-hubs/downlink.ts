/**
 * Downlink → one event sent to the event hub. The body is the encoded bytes as they are (JSON and
 * TEXT as UTF-8, BINARY unchanged); the encoder's metadata becomes the event's application
 * properties, except `partitionKey` (which picks the partition and keeps order per key), and
 * `messageId`, `correlationId`, `contentType` (the event's own fields). The content type defaults
 * from the encoder's (`application/json`, `text/plain`, `application/octet-stream`).
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import type { EventData } from './event-hubs-api.ts';

/** Event Hubs (Basic tier 256 KB, Standard 1 MB): the smaller, so a downlink fits every tier. */
export const MAX_EVENT_BYTES = 256 * 1024;
const CONTENT_TYPES = { JSON: 'application/json', TEXT: 'text/plain', BINARY: 'application/octet-stream' } as const;
const OWN_FIELDS = new Set(['partitionKey', 'messageId', 'correlationId', 'contentType']);

export function buildEvent(msg: EncodedDownlink): { event: EventData; partitionKey: string | undefined } {
  if (msg.data.byteLength > MAX_EVENT_BYTES) {
    throw new CloudbridgeError('DOWNLINK_FAILED', `the downlink event has ${msg.data.byteLength} bytes; Event Hubs accepts at most ${MAX_EVENT_BYTES} on every tier`, { field: 'downlinkConverter' }, { retryable: false });
  }
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(msg.metadata)) if (!OWN_FIELDS.has(k)) properties[k] = v;
  const m = msg.metadata;
  const event: EventData = {
    body: Buffer.from(msg.data),
    properties,
    contentType: m.contentType || CONTENT_TYPES[msg.contentType],
    ...(m.messageId ? { messageId: m.messageId } : {}),
    ...(m.correlationId ? { correlationId: m.correlationId } : {}),
  };
  return { event, partitionKey: m.partitionKey || undefined };
}

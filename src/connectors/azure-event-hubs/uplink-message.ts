/**
 * An Event Hubs event → `UplinkMessage`. The payload is the event body's bytes as sent (a `data`
 * section, read with `skipParsingBodyAsJson`: an SDK producer's string body arrives JSON-quoted, as
 * on the wire); a value section as UTF-8 (strings) or JSON. Metadata (strings):
 * every application property under its own name (non-strings as JSON), then `eventHubName`,
 * `partitionId`, `sequenceNumber`, `offset`, `enqueuedTime` (ISO 8601), `partitionKey`,
 * `messageId`, `correlationId`, `contentType` when present, and the IoT Hub system properties
 * (`iothub-*`, e.g. `iothub-connection-device-id`) under their names, with `deviceId` for the
 * device id. Cloudbridge's own names win over an application property of the same name.
 * sourceKey `partition/sequenceNumber`; dedupe `none` (the checkpoint is committed with the data);
 * sourceTimestamp the enqueued time.
 */
import type { DedupeMode, UplinkMessage } from '../../core/model.ts';
import type { ReceivedEventData } from './event-hubs-api.ts';

function bytesOf(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body === undefined || body === null) return new Uint8Array(0);
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return JSON.stringify(v) ?? String(v);
}

export interface EventMessageContext {
  eventHubName: string;
  partitionId: string;
  receivedAt: number;
  dedupe: DedupeMode;
}

export function toUplinkMessage(e: ReceivedEventData, c: EventMessageContext): UplinkMessage {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.properties ?? {})) if (v !== undefined && v !== null) metadata[k] = text(v);
  for (const [k, v] of Object.entries(e.systemProperties ?? {})) if (k.startsWith('iothub-') && v !== undefined && v !== null) metadata[k] = text(v);
  const deviceId = e.systemProperties?.['iothub-connection-device-id'] as unknown;
  const enqueuedMs = e.enqueuedTimeUtc.getTime();
  Object.assign(metadata, {
    eventHubName: c.eventHubName,
    partitionId: c.partitionId,
    sequenceNumber: String(e.sequenceNumber),
    offset: String(e.offset),
    enqueuedTime: new Date(enqueuedMs).toISOString(),
  });
  if (e.partitionKey) metadata.partitionKey = e.partitionKey;
  if (e.messageId !== undefined && e.messageId !== null) metadata.messageId = text(e.messageId);
  if (e.correlationId !== undefined && e.correlationId !== null) metadata.correlationId = text(e.correlationId);
  if (e.contentType) metadata.contentType = e.contentType;
  if (typeof deviceId === 'string') metadata.deviceId = deviceId;
  return {
    payload: bytesOf(e.body),
    metadata,
    sourceKey: `${c.partitionId}/${e.sequenceNumber}`,
    receivedAt: c.receivedAt,
    sourceTimestamp: enqueuedMs,
    dedupe: c.dedupe,
  };
}

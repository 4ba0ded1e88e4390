/**
 * An encoded downlink → what the hub is asked to do with it:
 *
 * - `msgType` `ATTRIBUTES_UPDATED` (a shared-attributes update): the encoder's JSON output is
 *   merged into the device twin's desired properties (a JSON object; `null` removes a property).
 * - anything else: a cloud-to-device message to `metadata.deviceId` (default: the encoder's
 *   `metadata.deviceName`, else the device the downlink was requested for),
 *   with message id `<downlink id>` (every payload of one downlink: feedback of any of them settles it),
 *   expiry `expirySeconds` from now in epoch milliseconds, `ack: full` (feedback for every outcome),
 *   `contentType` (JSON → application/json), `correlationId` from the metadata, and the other
 *   metadata keys as application properties.
 */
import { randomUUID } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import type { C2dRequest } from './iot-hub-api.ts';

/** Metadata keys that set message fields (or are Cloudbridge's own) instead of becoming properties. */
const RESERVED = new Set(['deviceId', 'deviceName', 'deviceType', 'correlationId', 'contentType', 'contentEncoding', 'integrationName']);
export const C2D_MAX_BYTES = 64 * 1024;
export const DESIRED_MAX_BYTES = 32 * 1024;

function fail(message: string): CloudbridgeError {
  return new CloudbridgeError('DOWNLINK_FAILED', message, { field: 'downlinkConverter' }, { retryable: false });
}

export function targetDevice(msg: EncodedDownlink): string {
  const id = msg.metadata['deviceId'] || msg.metadata['deviceName'] || msg.deviceName;
  if (!id) throw fail('the downlink names no device: return metadata.deviceId (the IoT Hub device id) from the downlink converter, or send it to a named device');
  return id;
}

export function isTwinPatch(msg: EncodedDownlink): boolean {
  return msg.msgType === 'ATTRIBUTES_UPDATED';
}

/** The desired-properties patch of an ATTRIBUTES_UPDATED downlink. */
export function desiredPatch(msg: EncodedDownlink): Record<string, unknown> {
  if (msg.data.length > DESIRED_MAX_BYTES) throw fail(`the desired-properties patch is ${msg.data.length} bytes; a twin's desired properties hold at most ${DESIRED_MAX_BYTES} bytes`);
  let patch: unknown;
  try {
    patch = JSON.parse(Buffer.from(msg.data).toString('utf8'));
  } catch {
    throw fail('an ATTRIBUTES_UPDATED downlink patches the device twin\'s desired properties: the downlink converter must return a JSON object');
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw fail('an ATTRIBUTES_UPDATED downlink patches the device twin\'s desired properties: the downlink converter must return a JSON object (key → value, null removes a key)');
  }
  return patch as Record<string, unknown>;
}

/** The cloud-to-device message of the downlink. */
export function buildC2dRequest(msg: EncodedDownlink, expirySeconds: number, nowMs: number): C2dRequest {
  if (msg.data.length > C2D_MAX_BYTES) throw fail(`the downlink is ${msg.data.length} bytes; a cloud-to-device message carries at most ${C2D_MAX_BYTES} bytes (64 KiB)`);
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(msg.metadata)) if (!RESERVED.has(k)) properties[k] = v;
  return {
    deviceId: targetDevice(msg),
    messageId: msg.downlinkId ?? randomUUID(),
    expiryTimeUtcMs: nowMs + expirySeconds * 1000,
    ack: 'full',
    data: Buffer.from(msg.data),
    contentType: msg.metadata['contentType'] ?? (msg.contentType === 'JSON' ? 'application/json' : msg.contentType === 'TEXT' ? 'text/plain' : 'application/octet-stream'),
    contentEncoding: msg.metadata['contentEncoding'] ?? (msg.contentType === 'BINARY' ? undefined : 'utf-8'),
    correlationId: msg.metadata['correlationId'],
    properties,
  };
}

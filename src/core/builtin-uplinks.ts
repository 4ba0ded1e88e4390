/**
 * Uplinks in a built-in shape, which the pipeline converts itself instead of the integration's
 * converter (ADR 015): what a connector reads from its cloud's own device model (IoT Hub twin
 * reported properties) rather than from a device message, stored through the same delivery,
 * commit and dedupe path as any uplink, so it is durable and idempotent.
 *
 * `client-attributes`: the payload is `{"deviceName": "...", "deviceType"?: "...", "attributes": {...}}`
 * (UTF-8 JSON); each attribute becomes a client-scope attribute of the device, typed as the
 * converters' attributes are (bool, long, double, string, json).
 */
import { CloudbridgeError } from './errors.ts';
import type { KvValue, UplinkMessage } from './model.ts';
import type { UplinkConversion } from './ports.ts';

/** The metadata key that marks a built-in uplink; its value is the shape. */
export const BUILT_IN_SHAPE_KEY = 'cloudbridgeShape';
export type BuiltInShape = 'client-attributes';

export interface ClientAttributesPayload {
  deviceName: string;
  deviceType?: string;
  attributes: Record<string, unknown>;
}

/** The UplinkMessage a connector delivers to store client attributes of a device. */
export function clientAttributesUplink(p: ClientAttributesPayload, sourceKey: string, receivedAt: number, metadata: Record<string, string> = {}): UplinkMessage {
  return {
    payload: Buffer.from(JSON.stringify(p), 'utf8'),
    metadata: { ...metadata, [BUILT_IN_SHAPE_KEY]: 'client-attributes', deviceName: p.deviceName },
    sourceKey, receivedAt, contentType: 'JSON',
  };
}

export function isBuiltIn(m: UplinkMessage): boolean {
  return m.metadata[BUILT_IN_SHAPE_KEY] !== undefined;
}

function kv(value: unknown): KvValue {
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'long', value } : { type: 'double', value };
  if (typeof value === 'string') return { type: 'string', value };
  return { type: 'json', value };
}

function invalid(message: string): UplinkConversion {
  return { ok: false, stage: 'validate', error: new CloudbridgeError('PAYLOAD_INVALID', message) };
}

/** Converts one built-in uplink (never throws: a malformed one is a validation failure, dead-lettered). */
export function convertBuiltIn(m: UplinkMessage): UplinkConversion {
  const shape = m.metadata[BUILT_IN_SHAPE_KEY];
  if (shape !== 'client-attributes') return invalid(`unknown built-in uplink shape "${String(shape)}"`);
  let p: Partial<ClientAttributesPayload>;
  try {
    p = JSON.parse(Buffer.from(m.payload).toString('utf8')) as Partial<ClientAttributesPayload>;
  } catch {
    return invalid('a client-attributes uplink must be JSON');
  }
  if (typeof p.deviceName !== 'string' || p.deviceName === '' || typeof p.attributes !== 'object' || p.attributes === null) {
    return invalid('a client-attributes uplink needs deviceName and an attributes object');
  }
  const attributes = Object.entries(p.attributes).filter(([, v]) => v !== null && v !== undefined).map(([key, value]) => ({ key, value: kv(value) }));
  const record = { kind: 'DEVICE' as const, name: p.deviceName, type: p.deviceType ?? 'default', attributes, telemetry: [] };
  return { ok: true, records: [record], raw: p };
}

/**
 * Converts a batch with built-in uplinks among it: those here, the others through `convert` (the
 * integration's converter), results in the batch's order.
 */
export async function convertWithBuiltIns(messages: UplinkMessage[], convert: (messages: UplinkMessage[]) => Promise<UplinkConversion[]>): Promise<UplinkConversion[]> {
  if (!messages.some(isBuiltIn)) return convert(messages);
  const others = messages.filter((m) => !isBuiltIn(m));
  const converted = others.length === 0 ? [] : await convert(others);
  let next = 0;
  return messages.map((m) => (isBuiltIn(m) ? convertBuiltIn(m) : converted[next++] ?? invalid('converter returned too few results')));
}

/**
 * ThingsBoard's JSON telemetry and attribute parsing (its `JsonConverter`, reference §3.1), as the
 * gateway API applies it to each device's entry:
 * - telemetry is an array whose elements are objects: `{ts, values}` when both are present (the
 *   timestamped form), otherwise plain key/values at the server's receive time; `metadata` (the
 *   gateway's latency metrics) is removed first;
 * - values are typed: boolean, integer → LONG, decimal → DOUBLE, object/array → JSON, string →
 *   STRING unless it is a plain decimal number and type casting is on (the default), then LONG or
 *   DOUBLE; `null` values are skipped.
 * A shape ThingsBoard cannot parse throws ConversionError (the gateway handler turns it into a close
 * on MQTT 3.1.1 or PUBACK 0x99 on MQTT 5).
 */

export type TbValueType = 'STRING' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'JSON';

export interface TypedEntry {
  key: string;
  type: TbValueType;
  /** The stored value: a number for LONG/DOUBLE, the parsed object or array for JSON. */
  value: string | number | boolean | object;
}

export interface ParsedPoint extends TypedEntry {
  ts: number;
}

export class ConversionError extends Error {
  override readonly name = 'ConversionError';
}

/** What `NumberUtils.isParsable` accepts: an optional minus, digits, an optional fraction; no exponent, no hex. */
const PARSABLE_NUMBER = /^-?(\d+(\.\d+)?|\.\d+)$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeString(key: string, text: string, typeCast: boolean): TypedEntry {
  if (typeCast && PARSABLE_NUMBER.test(text)) {
    if (text.includes('.')) return { key, type: 'DOUBLE', value: Number(text) };
    const asNumber = Number(text);
    if (Number.isSafeInteger(asNumber)) return { key, type: 'LONG', value: asNumber };
  }
  return { key, type: 'STRING', value: text };
}

/** One typed value, or undefined for `null` (skipped, as ThingsBoard does). */
export function typeValue(key: string, raw: unknown, typeCast: boolean): TypedEntry | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string') return typeString(key, raw, typeCast);
  if (typeof raw === 'boolean') return { key, type: 'BOOLEAN', value: raw };
  if (typeof raw === 'number') return { key, type: Number.isInteger(raw) ? 'LONG' : 'DOUBLE', value: raw };
  if (typeof raw === 'object') return { key, type: 'JSON', value: raw };
  throw new ConversionError(`can't parse value of "${key}"`);
}

/** Typed key/values of one object (attributes, or a telemetry element's values). */
export function typeKeyValues(values: Record<string, unknown>, typeCast: boolean): TypedEntry[] {
  const entries: TypedEntry[] = [];
  for (const [key, raw] of Object.entries(values)) {
    const entry = typeValue(key, raw, typeCast);
    if (entry) entries.push(entry);
  }
  return entries;
}

function timestamp(raw: unknown): number {
  const ts = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof ts !== 'number' || !Number.isInteger(ts)) throw new ConversionError(`"ts" must be an integer (epoch ms), got ${JSON.stringify(raw)}`);
  return ts;
}

/** The points of one device's telemetry array (reference §6.3 and §3.1). */
export function parseTelemetryArray(elements: unknown[], receivedAt: number, typeCast: boolean): ParsedPoint[] {
  const points: ParsedPoint[] = [];
  for (const element of elements) {
    if (!isPlainObject(element)) throw new ConversionError(`a telemetry element must be an object, got ${JSON.stringify(element)}`);
    const { metadata: _metadata, ...rest } = element;
    if ('ts' in rest && 'values' in rest) {
      const ts = timestamp(rest.ts);
      if (!isPlainObject(rest.values)) throw new ConversionError('"values" must be an object');
      for (const entry of typeKeyValues(rest.values, typeCast)) points.push({ ts, ...entry });
    } else {
      for (const entry of typeKeyValues(rest, typeCast)) points.push({ ts: receivedAt, ...entry });
    }
  }
  return points;
}

/** Parses a payload as JSON, or throws ConversionError. */
export function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new ConversionError(`invalid JSON: ${(err as Error).message}`);
  }
}

/**
 * ThingsBoard's value typing for telemetry and attributes: boolean → bool, integer → long,
 * decimal → double, string → string (numeric strings cast to numbers, ThingsBoard's default),
 * object/array → json, null → skipped.
 */
import type { KvValue } from '../core/model.ts';

/** What ThingsBoard's parser accepts as a number inside a string: optional minus, digits, one dot. */
const NUMERIC = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

function numberValue(n: number): KvValue {
  return Number.isSafeInteger(n) ? { type: 'long', value: n === 0 ? 0 : n } : { type: 'double', value: n };
}

/** True when `s` is a number as ThingsBoard's parser reads one inside a string. */
export function isNumericString(s: string): boolean {
  const c = s.charCodeAt(0);
  return ((c >= 48 && c <= 57) || c === 45 || c === 46) && NUMERIC.test(s);
}

/**
 * Casts a numeric string like ThingsBoard: `"42"` → long, `"21.5"` → double, `"21.0"` → long 21.
 * Integers beyond ±2^53 stay strings, so no digit is silently lost; so do decimals too large for a
 * double (a 400-digit string would otherwise become Infinity).
 */
export function castNumericString(s: string): KvValue {
  if (!isNumericString(s)) return { type: 'string', value: s };
  const n = Number(s);
  const dot = s.indexOf('.');
  const integral = dot < 0 || /^0*$/.test(s.slice(dot + 1));
  if (integral) return Number.isSafeInteger(n) ? { type: 'long', value: n === 0 ? 0 : n } : { type: 'string', value: s };
  return Number.isFinite(n) ? { type: 'double', value: n } : { type: 'string', value: s };
}

/**
 * Returns the typed value, or null when the value is to be skipped (JSON null). A non-finite
 * number also gives null here; the output validator refuses it before (normalize-uplink.ts).
 */
export function toKvValue(v: unknown): KvValue | null {
  switch (typeof v) {
    case 'boolean': return { type: 'bool', value: v };
    case 'number': return Number.isFinite(v) ? numberValue(v) : null;
    case 'string': return castNumericString(v);
    case 'object': return v === null ? null : { type: 'json', value: v };
    default: return null;
  }
}

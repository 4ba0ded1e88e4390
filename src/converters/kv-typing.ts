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

/**
 * Casts a numeric string like ThingsBoard: `"42"` → long, `"21.5"` → double, `"21.0"` → long 21.
 * Integers beyond ±2^53 stay strings, so no digit is silently lost.
 */
export function castNumericString(s: string): KvValue {
  const c = s.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 45 || c === 46) || !NUMERIC.test(s)) return { type: 'string', value: s };
  const n = Number(s);
  const dot = s.indexOf('.');
  const integral = dot < 0 || /^0*$/.test(s.slice(dot + 1));
  if (integral) return Number.isSafeInteger(n) ? { type: 'long', value: n === 0 ? 0 : n } : { type: 'string', value: s };
  return { type: 'double', value: n };
}

/** Returns the typed value, or null when the value is to be skipped (JSON null). */
export function toKvValue(v: unknown): KvValue | null {
  switch (typeof v) {
    case 'boolean': return { type: 'bool', value: v };
    case 'number': return Number.isFinite(v) ? numberValue(v) : null;
    case 'string': return castNumericString(v);
    case 'object': return v === null ? null : { type: 'json', value: v };
    default: return null;
  }
}

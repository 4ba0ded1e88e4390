/** Checks shared by the uplink result validation (normalize-uplink.ts, forwarder-fields.ts): every failure is CONVERTER_OUTPUT naming the field. */
import { CloudbridgeError } from '../core/errors.ts';
import { findNonFinite } from './non-finite.ts';
import { CONVERTER_OUTPUT_LIMITS as LIMITS } from './types.ts';

export const NUL = '\u0000';

export function fail(field: string, message: string): never {
  throw new CloudbridgeError('CONVERTER_OUTPUT', `${field}: ${message}`, { field });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkKey(key: string, field: string): void {
  if (key.length === 0) fail(field, 'keys must be non-empty strings');
  if (key.includes(NUL)) fail(field, `key ${JSON.stringify(key)} contains a NUL character (U+0000), which the store cannot keep`);
  if (key.length > LIMITS.maxKeyLength) fail(field, `key "${key.slice(0, 40)}..." is longer than ${LIMITS.maxKeyLength} characters`);
}

/** Refuses Infinity and NaN (as numbers, or as the sandbox's markers), also inside a JSON value. */
export function checkFinite(v: unknown, field: string): void {
  let found: { path: string; name: string } | undefined;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) found = { path: field, name: String(v) };
  } else if (typeof v === 'string' || (typeof v === 'object' && v !== null)) {
    found = findNonFinite(v, field);
  }
  if (found) fail(found.path, `is ${found.name}; only finite numbers can be stored (the value is refused, not skipped)`);
}

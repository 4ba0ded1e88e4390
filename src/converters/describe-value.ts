import { nonFiniteName } from './non-finite.ts';

/** How a value is named in error messages: "null", "an array", "an object", "a number", "Infinity"... */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return typeof v === 'object' ? 'an object' : nonFiniteName(v) ?? `a ${typeof v}`;
}

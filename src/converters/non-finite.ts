/**
 * Non-finite numbers in converter results. JSON has no Infinity or NaN: `JSON.stringify` writes
 * them as `null`, which the output validator would then skip as a null value, so a reading of
 * Infinity would vanish without a trace. The sandbox therefore writes them as these marker strings
 * (prelude-entries.ts), and the validator refuses a marker wherever it reads a value, naming the
 * field. A marker starts with NUL, which no stored string value may hold, so no real value is taken
 * for one.
 */
export const NON_FINITE_MARKERS: Readonly<Record<string, string>> = {
  '\u0000Infinity': 'Infinity',
  '\u0000-Infinity': '-Infinity',
  '\u0000NaN': 'NaN',
};

/** `Infinity`, `-Infinity` or `NaN` when `v` is the sandbox's marker for that number, else undefined. */
export function nonFiniteName(v: unknown): string | undefined {
  return typeof v === 'string' && v.charCodeAt(0) === 0 ? NON_FINITE_MARKERS[v] : undefined;
}

/**
 * The path (below `path`) of the first non-finite marker inside a JSON value, or undefined.
 * Only objects and arrays are walked.
 */
export function findNonFinite(v: unknown, path: string): { path: string; name: string } | undefined {
  if (typeof v !== 'object' || v === null) {
    const name = nonFiniteName(v);
    return name === undefined ? undefined : { path, name };
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = findNonFinite(v[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(v)) {
    const found = findNonFinite((v as Record<string, unknown>)[key], `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

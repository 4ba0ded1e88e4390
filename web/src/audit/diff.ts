/**
 * An audit entry's before and after as rows of fields: nested objects and lists flattened to
 * paths (`config.topicFilters[0].filter`), each row marked changed when its two values differ.
 */

export interface FieldRow {
  path: string;
  /** undefined: the field is absent on that side. */
  before: unknown;
  after: unknown;
  changed: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaves of a value by path; empty objects and lists are leaves themselves. */
export function flatten(value: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [`${path}[${i}]`, v])
    : isObject(value) ? Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v]) : [];
  if (entries.length === 0) {
    if (path) out.set(path, value);
    return out;
  }
  for (const [p, v] of entries) flatten(v, p, out);
  return out;
}

/** Every field of either side, in the order they first appear (after's order, then fields only before had). */
export function fieldRows(before: unknown, after: unknown): FieldRow[] {
  const b = before === null ? new Map<string, unknown>() : flatten(before);
  const a = after === null ? new Map<string, unknown>() : flatten(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  return paths.map((path) => {
    const was = b.get(path);
    const is = a.get(path);
    return { path, before: was, after: is, changed: JSON.stringify(was) !== JSON.stringify(is) };
  });
}

/** A value as text: strings as they are, times (`createdAt`, `allUntil`: ms since the epoch) as dates, the rest as JSON; absent as an em dash. */
export function valueText(v: unknown, path = ''): string {
  if (v === undefined) return '—';
  if (typeof v === 'number' && v > 1e11 && /(At|Until)$/.test(path)) return new Date(v).toLocaleString();
  return typeof v === 'string' ? v : JSON.stringify(v);
}

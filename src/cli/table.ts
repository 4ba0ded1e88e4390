/** Plain-text tables and key-value blocks for the CLI's human output. */

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `key: value` lines with the keys aligned. */
export function keyValues(entries: Array<[string, string]>): string {
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v}`).join('\n');
}

/** An epoch-ms time as ISO 8601 (UTC), or "-". */
export function time(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString() : '-';
}

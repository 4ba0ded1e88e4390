/**
 * "Did you mean ...?" for names a user typed: unknown fields, enum values, converter references.
 * Names are compared case- and separator-insensitively (`secret_access_key` = `secretAccessKey`),
 * and a candidate counts as close when it is at most a quarter of its length away (at least 1).
 */

/** Edit distance (with transpositions) of two names, ignoring case, spaces, `_` and `-`. */
export function nameDistance(a: string, b: string): number {
  const x = a.toLowerCase().replace(/[\s_-]+/g, '');
  const y = b.toLowerCase().replace(/[\s_-]+/g, '');
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[x.length] as number[])[y.length] as number;
}

/** The candidate closest to `name` when it is close enough to be a likely typo, else undefined. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    if (c === name) continue;
    const d = nameDistance(name, c);
    if (!best || d < best.d) best = { name: c, d };
  }
  return best && best.d <= Math.max(1, Math.floor(best.name.length / 4)) ? best.name : undefined;
}

/**
 * Where a Cloudbridge instance's CPU went, from the V8 CPU profiles `node bench/scale-out.ts
 * --cpu-prof DIR` writes: self time by area (a package under node_modules, a directory of src/,
 * Node's own code, GC; idle left out) and the top functions, for one or more profiles together.
 * Only the samples of the drain count (from enabling to the last record stored, as the round
 * wrote to PROFILE_WINDOW beside the profiles), not the instance's start-up.
 *
 *   node bench/scale-profile.ts DIR/aws-sqs-3/*.cpuprofile [--top 15]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

/** The file beside a round's profiles that holds the drain's window: `{ fromMicros, toMicros }` (monotonic clock). */
export const PROFILE_WINDOW = 'window.json';

export interface Window { fromMicros: number; toMicros: number }

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The area a script belongs to: `pg`, `@aws-sdk/client-sqs`, `src/store/postgres`, `node:internal`, … */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  const src = /\/(src\/[^/]+(?:\/[^/]+)?)\/[^/]+$/.exec(url);
  if (src?.[1]) return src[1];
  if (url.startsWith('node:')) return 'node:internal';
  return url.replace(/^.*\//, '');
}

export interface ProfileSummary {
  /** Sampled time on the CPU (idle left out), ms. */
  totalMs: number;
  /** Sampled idle time, ms. */
  idleMs: number;
  areas: Array<{ area: string; ms: number }>;
  functions: Array<{ name: string; ms: number }>;
}

export function summarise(profiles: Profile[], top: number, window: Window | null = null): ProfileSummary {
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    let at = p.startTime;
    p.samples.forEach((id, i) => {
      const node = byId.get(id);
      const us = p.timeDeltas[i] ?? 0;
      at += us;
      if (!node || (window && (at < window.fromMicros || at > window.toMicros))) return;
      const { url, functionName, lineNumber } = node.callFrame;
      if (functionName === '(idle)') {
        idle += us;
        return;
      }
      total += us;
      const area = areaOf(url, functionName);
      areas.set(area, (areas.get(area) ?? 0) + us);
      const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*?\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
      functions.set(name, (functions.get(name) ?? 0) + us);
    });
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    areas: sorted(areas).map(([area, us]) => ({ area, ms: us / 1000 })),
    functions: sorted(functions).map(([name, us]) => ({ name, ms: us / 1000 })),
  };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  const top = Number(values.top ?? 15);
  const windowFile = positionals[0] === undefined ? null : join(dirname(positionals[0]), PROFILE_WINDOW);
  const window = windowFile && existsSync(windowFile) ? JSON.parse(readFileSync(windowFile, 'utf8')) as Window : null;
  const s = summarise(positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Profile), top, window);
  if (!window) console.log(`no ${PROFILE_WINDOW} beside the profiles: the whole run counts, start-up included`);
  const pct = (ms: number): string => `${((ms / s.totalMs) * 100).toFixed(1).padStart(5)} %`;
  console.log(`${positionals.length} profile(s): ${(s.totalMs / 1000).toFixed(1)} s on the CPU (${(s.idleMs / 1000).toFixed(1)} s idle, left out)\n\nSelf time by area:`);
  for (const a of s.areas) console.log(`  ${pct(a.ms)}  ${a.area}`);
  console.log('\nTop functions (self time):');
  for (const f of s.functions) console.log(`  ${pct(f.ms)}  ${f.name}`);
}

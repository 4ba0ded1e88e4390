/**
 * The bench's one table: each row a Cloudbridge figure beside its baseline measured in the same
 * run, their ratio, the issue's target and whether it is met, and the same row of the last saved
 * result. Results are saved as JSON in bench/results/ (see docs/benchmarks.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export type Unit = 'msg/s' | 'ms' | 'µs/msg' | 'MB';

export interface Target {
  /** What the target bounds: the ratio to the baseline, or the value itself. */
  of: 'ratio' | 'value';
  op: '>=' | '<=';
  limit: number;
}

export interface BenchRow {
  /** Stable across runs (the key for the comparison with the last result), e.g. `mqtt.drain`. */
  id: string;
  /** What is measured, as printed. */
  measure: string;
  unit: Unit;
  /** Cloudbridge's figure. */
  value: number;
  /** The same measure of the baseline, in the same run. */
  baseline?: { name: string; value: number };
  target?: Target;
}

/** A row as saved: with its ratio and verdict. */
export interface SavedRow extends BenchRow {
  ratio: number | null;
  met: boolean | null;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  /** The bench targets run (`all` for everything) and the options given. */
  targets: string[];
  options: Record<string, string | boolean | undefined>;
  commit: string | null;
  node: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  rows: SavedRow[];
}

/** A connector's drain rate and the raw SDK drain of the same peer (medians where there are rounds). */
export interface DrainPair { raw: number; cloudbridge: number }

/** The issue's connector target: ≥ 0.9 of the raw drain (`baseline` names it) from the same peer. */
export function connectorBenchRow(connector: string, measure: string, pair: DrainPair, baseline = 'raw SDK drain'): BenchRow {
  return {
    id: `${connector}.drain`, measure: `${connector}: ${measure}`, unit: 'msg/s', value: pair.cloudbridge,
    baseline: { name: baseline, value: pair.raw }, target: { of: 'ratio', op: '>=', limit: 0.9 },
  };
}

export function ratioOf(row: BenchRow): number | null {
  return row.baseline && row.baseline.value !== 0 && Number.isFinite(row.value) ? row.value / row.baseline.value : null;
}

export function metOf(row: BenchRow): boolean | null {
  if (!row.target) return null;
  const x = row.target.of === 'ratio' ? ratioOf(row) : row.value;
  if (x === null || !Number.isFinite(x)) return null;
  return row.target.op === '>=' ? x >= row.target.limit : x <= row.target.limit;
}

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'msg/s') return value >= 10_000 ? `${(value / 1000).toFixed(1)}k msg/s` : `${value.toFixed(0)} msg/s`;
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  if (unit === 'µs/msg') return `${value.toFixed(1)} µs/msg`;
  return `${value.toFixed(1)} ms`;
}

function formatTarget(row: BenchRow): string {
  const t = row.target;
  if (!t) return '';
  const op = t.op === '>=' ? '≥' : '≤';
  return t.of === 'ratio' ? `ratio ${op} ${t.limit}` : `${op} ${formatValue(t.limit, row.unit)}`;
}

function formatLast(row: BenchRow, last: SavedRow | undefined): string {
  if (!last) return '';
  const change = last.value !== 0 ? ` (${row.value >= last.value ? '+' : ''}${(((row.value - last.value) / last.value) * 100).toFixed(0)} %)` : '';
  return `${formatValue(last.value, last.unit)}${change}${last.ratio !== null ? `, ratio ${last.ratio.toFixed(2)}` : ''}`;
}

/** The table as text (Markdown, so it can be pasted into docs/benchmarks.md as it is). */
export function formatTable(rows: BenchRow[], last: BenchResult | null): string {
  const lastRows = new Map((last?.rows ?? []).map((r) => [r.id, r]));
  const header = ['Measure', 'Value', 'Baseline (same run)', 'Ratio', 'Target', 'Met', `Last run${last ? ` (${last.startedAt.slice(0, 16)})` : ''}`];
  const lines = rows.map((row) => {
    const ratio = ratioOf(row);
    const met = metOf(row);
    return [
      row.measure, formatValue(row.value, row.unit),
      row.baseline ? `${row.baseline.name}: ${formatValue(row.baseline.value, row.unit)}` : '',
      ratio === null ? '' : ratio.toFixed(2), formatTarget(row), met === null ? '' : met ? 'met' : 'NOT met', formatLast(row, lastRows.get(row.id)),
    ];
  });
  const table = [header, header.map(() => '---'), ...lines];
  return table.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

const RESULTS_DIR = new URL('./results/', import.meta.url).pathname;

/** The options that decide what a run measures (sizes, rates), as a comparable text. */
function sizing(options: BenchResult['options']): string {
  return JSON.stringify(Object.entries(options).filter(([key, v]) => key !== 'no-save' && v !== undefined).sort());
}

/** The newest saved result (by file name, an ISO timestamp) run with the same `options`, or null. */
export function lastResult(options: BenchResult['options']): BenchResult | null {
  let files: string[];
  try {
    files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).sort().reverse();
  } catch {
    return null;
  }
  for (const file of files) {
    const result = JSON.parse(readFileSync(join(RESULTS_DIR, file), 'utf8')) as BenchResult;
    if (sizing(result.options) === sizing(options)) return result;
  }
  return null;
}

function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return null;
  }
}

/** The start of a run: what `saveResult` records about the machine before the first bench. */
export function runContext(targets: string[], options: BenchResult['options']): Omit<BenchResult, 'finishedAt' | 'rows' | 'machine'> & { machine: Omit<BenchResult['machine'], 'loadAverageAtEnd'> } {
  return {
    startedAt: new Date().toISOString(), targets, options, commit: gitCommit(), node: process.version,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), loadAverageAtStart: loadavg() },
  };
}

/** Writes bench/results/<startedAt, ':' and '.' as '-'>.json; returns its path. */
export function saveResult(context: ReturnType<typeof runContext>, rows: BenchRow[]): string {
  const result: BenchResult = {
    ...context,
    finishedAt: new Date().toISOString(),
    machine: { ...context.machine, loadAverageAtEnd: loadavg() },
    rows: rows.map((r) => ({ ...r, ratio: ratioOf(r), met: metOf(r) })),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${context.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

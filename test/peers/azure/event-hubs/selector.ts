/**
 * The start-position filter Event Hubs consumers send as `apache.org:selector-filter:string`:
 * `amqp.annotation.<x-opt-offset | x-opt-sequence-number | x-opt-enqueued-time> <> | >=> '<value>'`,
 * with `'-1'` (earliest) and `'@latest'` as special offsets.
 */
import type { PartitionLog } from './partition-log.ts';

export type StartPosition =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset' | 'sequence' | 'time'; value: number; inclusive: boolean };

const PATTERN = /^\s*amqp\.annotation\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(>=|>)\s*'([^']*)'\s*$/i;
const KINDS: Record<string, 'offset' | 'sequence' | 'time'> = {
  'x-opt-offset': 'offset',
  'x-opt-sequence-number': 'sequence',
  'x-opt-enqueued-time': 'time',
};

export function parseSelector(expression: string): StartPosition | { error: string } {
  const m = PATTERN.exec(expression);
  if (m === null) return { error: `Unsupported selector filter: ${expression}` };
  const kind = KINDS[(m[1] ?? '').toLowerCase()] ?? 'offset';
  const op = m[2];
  const raw = m[3] ?? '';
  if (kind === 'offset' && raw === '-1') return { kind: 'earliest' };
  if (kind === 'offset' && raw === '@latest') return { kind: 'latest' };
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value)) return { error: `Invalid value '${raw}' in selector filter: ${expression}` };
  return { kind, value, inclusive: op === '>=' };
}

/** Reads the selector expression from an attach source filter set (no filter → earliest). */
export function selectorFromFilter(filter: Record<string, unknown> | undefined): string | undefined {
  if (filter === undefined) return undefined;
  for (const [k, v] of Object.entries(filter)) {
    if (!k.toLowerCase().includes('selector-filter')) continue;
    const value = (v as { value?: unknown } | null)?.value ?? v;
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** The sequence number a consumer starting at `pos` delivers first. */
export function startSequenceNumber(log: PartitionLog, pos: StartPosition): number {
  switch (pos.kind) {
    case 'earliest': return log.beginSequenceNumber;
    case 'latest': return log.endSequenceNumber;
    case 'offset': return log.firstWhere((e) => (pos.inclusive ? e.offset >= pos.value : e.offset > pos.value));
    case 'sequence': return Math.max(log.beginSequenceNumber, pos.inclusive ? pos.value : pos.value + 1);
    case 'time': return log.firstWhere((e) => (pos.inclusive ? e.enqueuedTimeMs >= pos.value : e.enqueuedTimeMs > pos.value));
  }
}

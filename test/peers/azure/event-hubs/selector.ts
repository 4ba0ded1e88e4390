/**
 * The start-position filter Event Hubs consumers send as `apache.org:selector-filter:string`:
 * `amqp.annotation.<x-opt-offset | x-opt-sequence-number | x-opt-enqueued-time> <> | >=> '<value>'`,
 * with `'-1'` (earliest) and `'@latest'` as special offsets.
 */
import { amqpError, CONDITIONS, type AmqpErrorInfo } from '../conditions.ts';
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

/**
 * Azure refuses a receiver whose start lies past the end of the partition (a checkpoint of an event
 * hub deleted and created again, say): a sequence number with `com.microsoft:argument-out-of-range`
 * ("The supplied sequence number '…' is invalid. The last sequence number in the system is '…'"),
 * an offset with `com.microsoft:argument-error` ("The supplied offset '…' is invalid.  The last
 * offset in the system is '…'"). Starting right after the last event (`> last`) is fine.
 */
export function pastTheEnd(log: PartitionLog, pos: StartPosition): AmqpErrorInfo | undefined {
  if (pos.kind === 'sequence') {
    const last = log.endSequenceNumber - 1;
    if (pos.value > (pos.inclusive ? last + 1 : last)) {
      return amqpError(CONDITIONS.argumentOutOfRange, `The supplied sequence number '${pos.value}' is invalid. The last sequence number in the system is '${last}'`);
    }
  }
  if (pos.kind === 'offset' && pos.value > (pos.inclusive ? Math.max(log.lastOffset, 0) : log.lastOffset)) {
    return amqpError(CONDITIONS.argumentError, `The supplied offset '${pos.value}' is invalid.  The last offset in the system is '${log.lastOffset}'`);
  }
  return undefined;
}

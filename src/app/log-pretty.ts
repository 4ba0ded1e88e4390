/**
 * Human-readable log lines for a terminal (`logging.format: pretty`): one line per record with the
 * time, the level, the message and the other fields as key=value. Made from pino's JSON line after
 * the secret scrubber ran on it, so what is redacted there stays redacted here.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, shown in the line's fixed parts (or not at all). */
const FIXED = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

function fieldValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v !== null && typeof v === 'object') {
    const err = v as { message?: unknown; type?: unknown };
    // pino's serialised errors: the message is what a reader needs on one line.
    if (typeof err.message === 'string' && typeof err.type === 'string') return JSON.stringify(`${err.type}: ${err.message}`);
    return JSON.stringify(v);
  }
  return String(v);
}

/** One pino JSON line (with or without its newline) as a pretty line ending in a newline; other text unchanged. */
export function prettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return line;
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString() : '-';
  const level = (LEVELS[Number(record.level)] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record).filter(([k]) => !FIXED.has(k)).map(([k, v]) => `${k}=${fieldValue(v)}`);
  return `${[time, level, String(record.msg ?? ''), ...fields].join(' ').trimEnd()}\n`;
}

/**
 * Turns a sandbox outcome (result JSON, `!`-prefixed failure, or a broken limit) into the
 * script's output or a CloudbridgeError with the code a user can act on.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { ErrorCode } from '../../core/errors.ts';
import type { RawOutcome } from './host/hosted-session.ts';
import { describeLocation, toUserLocation } from './script-location.ts';

export type ItemResult = { ok: true; value: unknown } | { ok: false; error: CloudbridgeError };

interface Failure {
  k: 'runtime' | 'payload' | 'output' | 'memory';
  m: string;
  at: [number, number] | null;
  d: Record<string, unknown> | null;
}

export interface OutcomeContext {
  /** Columns the wrapper adds to the user's first line. */
  headerColumns: number;
  /** For downlink, a JSON.parse failure in the script is the script's error, not the payload's. */
  role: 'uplink' | 'downlink';
  memoryMb: number;
}

const CODES: Record<Failure['k'], ErrorCode> = {
  runtime: 'CONVERTER_RUNTIME',
  payload: 'PAYLOAD_INVALID',
  output: 'CONVERTER_OUTPUT',
  memory: 'CONVERTER_MEMORY',
};

const LIMIT_CODES: Record<Exclude<RawOutcome, string>['limit'], ErrorCode> = {
  timeout: 'CONVERTER_TIMEOUT',
  memory: 'CONVERTER_MEMORY',
  crash: 'CONVERTER_CRASHED',
};

export function decodeOutcome(raw: RawOutcome, ctx: OutcomeContext): ItemResult {
  if (typeof raw !== 'string') {
    const code: ErrorCode = LIMIT_CODES[raw.limit];
    return { ok: false, error: new CloudbridgeError(code, `the converter ${raw.message} on this message`) };
  }
  if (!raw.startsWith('!')) return { ok: true, value: JSON.parse(raw) as unknown };
  const f = JSON.parse(raw.slice(1)) as Failure;
  let code = CODES[f.k];
  if (code === 'PAYLOAD_INVALID' && ctx.role === 'downlink') code = 'CONVERTER_RUNTIME';
  const details: Record<string, unknown> = { ...f.d };
  let message = f.k === 'memory' ? `the converter exceeded its memory limit of ${ctx.memoryMb} MB on this message (${f.m})` : f.m;
  if (f.at) {
    const loc = toUserLocation({ line: f.at[0], column: f.at[1] }, ctx.headerColumns);
    message = `${message} (${describeLocation(loc)})`;
    details.line = loc.line;
    details.column = loc.column;
  }
  return { ok: false, error: new CloudbridgeError(code, message, details) };
}

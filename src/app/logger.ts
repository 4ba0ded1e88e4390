/**
 * pino logs, as JSON lines or (`format: 'pretty'`) one human-readable line per record. Every line passes through a scrubber that replaces any registered secret value
 * (passwords, keys, tokens: raw and JSON-escaped) with "***", so a secret that slips into an
 * error message from an SDK still never reaches the log.
 */
import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../core/logger.ts';
import { prettyLine } from './log-pretty.ts';

export type LogFormat = 'json' | 'pretty';

/** The format when none is configured: pretty for a person at a terminal, JSON for a log collector. */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stdout): LogFormat {
  return stream.isTTY ? 'pretty' : 'json';
}

export class SecretScrubber {
  private readonly values = new Set<string>();

  add(...secrets: string[]): void {
    for (const s of secrets) {
      if (s.length < 4) continue;
      this.values.add(s);
      const escaped = JSON.stringify(s).slice(1, -1);
      if (escaped !== s) this.values.add(escaped);
    }
  }

  scrub(text: string): string {
    let out = text;
    for (const s of this.values) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  }
}

export interface LoggerOptions {
  level: string;
  scrubber: SecretScrubber;
  /** `json` (default) or `pretty` (log-pretty.ts); both pass through the scrubber. */
  format?: LogFormat;
  /** Where lines go; default stdout. */
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  const pretty = opts.format === 'pretty';
  const stream: DestinationStream = { write: (line: string) => write(pretty ? opts.scrubber.scrub(prettyLine(opts.scrubber.scrub(line))) : opts.scrubber.scrub(line)) };
  return pino({
    level: opts.level,
    base: { service: 'cloudbridge' },
    redact: { paths: ['password', '*.password', 'privateKey', '*.privateKey', 'token', '*.token', 'authorization', '*.authorization', 'req.headers.authorization'], censor: '***' },
  }, stream) as unknown as Logger;
}

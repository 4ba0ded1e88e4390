/**
 * pino JSON logs. Every line passes through a scrubber that replaces any registered secret value
 * (passwords, keys, tokens: raw and JSON-escaped) with "***", so a secret that slips into an
 * error message from an SDK still never reaches the log.
 */
import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../core/logger.ts';

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
  /** Where lines go; default stdout. */
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  const stream: DestinationStream = { write: (line: string) => write(opts.scrubber.scrub(line)) };
  return pino({
    level: opts.level,
    base: { service: 'cloudbridge' },
    redact: { paths: ['password', '*.password', 'privateKey', '*.privateKey', 'token', '*.token', 'authorization', '*.authorization', 'req.headers.authorization'], censor: '***' },
  }, stream) as unknown as Logger;
}

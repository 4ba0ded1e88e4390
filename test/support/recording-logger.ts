/** A Logger that keeps every line as text, with its level, e.g. to assert that no secret is ever logged. */
import type { Logger } from '../../src/core/logger.ts';

export function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (a: object | string, b?: string): void => {
    lines.push(`${level} ${typeof a === 'string' ? a : `${JSON.stringify(a)} ${b ?? ''}`}`);
  };
  const logger: Logger = {
    trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'),
    child: () => logger,
  };
  return logger;
}

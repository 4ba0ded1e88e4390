/** The logging surface core and connectors use (pino-compatible subset). */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => undefined;

export const silentLogger: Logger = {
  trace: noop, debug: noop, info: noop, warn: noop, error: noop,
  child: () => silentLogger,
};

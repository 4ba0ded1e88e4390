/** `cloudbridge start`: runs the service until SIGTERM/SIGINT, then shuts down gracefully. */
import { dirname, resolve as resolvePath } from 'node:path';
import { startApp, type App } from '../app/app.ts';
import { locateConfigError, parseConfigText, readConfigText, type ConfigFile } from '../app/config-file.ts';
import { defaultLogFormat, type LogFormat } from '../app/logger.ts';
import { parseCommand, UsageError } from './args.ts';
import { reloadOnSignal } from './reload-signal.ts';
import { CoalescingRunner } from '../core/serial-runs.ts';

const HELP = `Usage: cloudbridge start [--config FILE] [--port N] [--host ADDR] [--log-format pretty|json]

Starts Cloudbridge. Without --config: SQLite at ./data/cloudbridge.db, API on 127.0.0.1:8080.
The YAML file holds store, server, logging, converters and integrations (see docs/configuration.md).
SIGHUP re-reads the file and the files it references (scriptFile, file:): changed converters,
integrations and forwarders are applied (only they restart); with config.mode declarative, what
the file no longer has is deleted. Retention, credentialExpiry and a renewed server.tls
certificate (same paths, new contents) are applied too; server.port, server.host and adding or
removing server.tls need a restart (logged as a warning). One reload runs at a time: SIGHUPs
during one make one more reload, which reads the file as it is then.
  --config FILE   YAML config file (\${ENV_VAR} is replaced from the environment)
  --port N        override server.port
  --host ADDR     override server.host (0.0.0.0: every interface, e.g. in a container)
  --log-format F  pretty (one readable line per record) or json; overrides logging.format.
                  Default: pretty when stdout is a terminal, else json`;

/**
 * The log format: --log-format, else the file's logging.format, else pretty on a terminal and JSON
 * otherwise (a service manager or container collecting stdout).
 */
export function logFormat(option: unknown, configured: LogFormat | undefined): LogFormat {
  if (option === undefined) return configured ?? defaultLogFormat();
  if (option === 'pretty' || option === 'json') return option;
  throw new UsageError(`--log-format must be pretty or json, not "${String(option)}"`);
}

export function printBanner(app: App, extra: string[] = []): void {
  const lines = [`Cloudbridge is running. API: ${app.url}/api/v1  (UI: ${app.url}/ui/, OpenAPI: ${app.url}/api/v1/openapi.json)`];
  if (app.generatedAdminToken) lines.push(`Admin token (shown once, store it now): ${app.generatedAdminToken}`);
  process.stderr.write(`${[...lines, ...extra].join('\n')}\n`);
}

export function waitForShutdown(app: App): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.stderr.write(`\n${signal} received: stopping intake, draining, closing...\n`);
      app.close().then(() => resolve(0), () => resolve(1));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export async function runStart(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { config: { type: 'string', short: 'c' }, port: { type: 'string' }, host: { type: 'string' }, 'log-format': { type: 'string' } }, HELP);
  if (!parsed) return 0;
  const file = parsed.values.config;
  const text = typeof file === 'string' ? readConfigText(file) : '{}';
  const source = typeof file === 'string' ? file : 'config';
  /** The file's config with the options applied: at start and at every reload, so a reload does not see --port as a changed port. */
  const load = (configText: string): ConfigFile => {
    const loaded = parseConfigText(configText, process.env, source, typeof file === 'string' ? dirname(resolvePath(file)) : process.cwd());
    if (typeof parsed.values.port === 'string') loaded.server.port = Number(parsed.values.port);
    if (typeof parsed.values.host === 'string') loaded.server.host = parsed.values.host;
    loaded.logging.format = logFormat(parsed.values['log-format'], loaded.logging.format);
    return loaded;
  };
  const config = load(text);
  let app: App;
  try {
    app = await startApp({ config });
  } catch (err) {
    throw locateConfigError(err, text, source);
  }
  printBanner(app);
  if (typeof file === 'string') {
    const reloads = new CoalescingRunner(async () => {
      const next = readConfigText(file);
      await app.applyConfig(load(next)).catch((err: unknown) => { throw locateConfigError(err, next, file); });
    });
    process.on('SIGHUP', () => reloadOnSignal(app, reloads, file));
  }
  return waitForShutdown(app);
}

/**
 * The `cloudbridge` command line. Each command's module is loaded when it runs, so a command
 * loads only what it needs (`--version` and `help` answer at once).
 */
import { versionLine } from './version.ts';
import { UsageError } from './args.ts';
import { toCloudbridgeError } from '../core/errors.ts';

const HELP = `cloudbridge: connects IoT clouds to your platform

Usage:
  cloudbridge start [--config FILE] [--log-format pretty|json]
                                             run the service (default: SQLite at ./data/cloudbridge.db, port 8080)
  cloudbridge migrate [--config FILE]        apply the store's schema migrations and exit
  cloudbridge demo [--port N]                run with a demo fleet: in-process MQTT broker + simulated devices
  cloudbridge converter test --file F --payload P [--metadata JSON]
                                             run a converter on a sample: the records it would store, its console.log lines
  cloudbridge converters list                the converters of the store (or of --url)
  cloudbridge integrations list|show NAME|enable NAME|disable NAME|check NAME
                                             integrations of the store (--config) or of a running instance (--url, --token)
  cloudbridge config lint FILE [--diff]      validate a config file; --diff: what a start or reload would change
  cloudbridge import-thingsboard FILE... [--out F] [--json]
                                             ThingsBoard integration/converter exports → config file + report
  cloudbridge token create --name N [--role viewer|admin] | token list | token revoke NAME|ID
                                             API tokens of the store (--config) or of a running instance
                                             (--url, --token); a new one is printed once
  cloudbridge --version                      the Cloudbridge and Node versions

Run "cloudbridge <command> --help" for the options of a command (all of them: docs/cli.md).
Relative paths (--config, --file, the default ./data/) are relative to the current directory.
Environment: CLOUDBRIDGE_ADMIN_TOKEN (API admin token), CLOUDBRIDGE_MASTER_KEY (encrypts secrets at rest),
CLOUDBRIDGE_URL and CLOUDBRIDGE_TOKEN (the running instance for --url).`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start': return (await import('./start.ts')).runStart(rest);
    case 'migrate': return (await import('./migrate.ts')).runMigrate(rest);
    case 'integrations': case 'integration': return (await import('./integrations.ts')).runIntegrations(rest);
    case 'converters': return (await import('./integrations.ts')).runConverters(rest);
    case 'version': case '--version': case '-V':
      console.log(versionLine());
      return 0;
    case 'demo': return (await import('./demo.ts')).runDemo(rest);
    case 'converter':
      if (rest[0] === 'test') return (await import('./converter-test.ts')).runConverterTest(rest.slice(1));
      if (rest[0] === 'list') return (await import('./integrations.ts')).runConverters(rest);
      console.error('usage: cloudbridge converter test --file F --payload P [--metadata JSON]');
      return 2;
    case 'token': return (await import('./token.ts')).runToken(rest);
    case 'import-thingsboard': return (await import('./import-thingsboard.ts')).runImportThingsBoard(rest);
    case 'config':
      if (rest[0] === 'lint') return (await import('./config-lint.ts')).runConfigLint(rest.slice(1));
      console.error('usage: cloudbridge config lint FILE [--diff [--config RUNNING_CONFIG | --store PATH_OR_URL]]');
      return 2;
    case undefined: case 'help': case '--help': case '-h':
      console.log(HELP);
      return 0;
    default:
      console.error(`unknown command "${cmd}"\n\n${HELP}`);
      return 2;
  }
}

try {
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exitCode = code;
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`error: ${err.message}`);
    process.exitCode = 2;
  } else {
    const e = toCloudbridgeError(err);
    console.error(`error [${e.code}]: ${e.message}`);
    process.exitCode = 1;
  }
}

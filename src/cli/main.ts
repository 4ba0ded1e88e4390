/** The `cloudbridge` command line. */
import { runStart } from './start.ts';
import { runDemo } from './demo.ts';
import { runConverterTest } from './converter-test.ts';
import { runConfigLint } from './config-lint.ts';
import { runToken } from './token.ts';
import { runImportThingsBoard } from './import-thingsboard.ts';
import { toCloudbridgeError } from '../core/errors.ts';

const HELP = `cloudbridge: connects IoT clouds to your platform

Usage:
  cloudbridge start [--config FILE]          run the service (default: SQLite at ./data/cloudbridge.db, port 8080)
  cloudbridge demo [--port N]                run with a demo fleet: in-process MQTT broker + simulated devices
  cloudbridge converter test --file F --payload P [--metadata JSON]
                                             run a converter on a sample and print its output as JSON
  cloudbridge config lint FILE [--diff]      validate a config file; --diff: what a start or reload would change
  cloudbridge import-thingsboard FILE... [--out F] [--json]
                                             ThingsBoard integration/converter exports → config file + report
  cloudbridge token create --name N [--role viewer|admin] | token list
                                             API tokens (a new one is printed once)

Run "cloudbridge <command> --help" for the options of a command.
Environment: CLOUDBRIDGE_ADMIN_TOKEN (API admin token), CLOUDBRIDGE_MASTER_KEY (encrypts secrets at rest).`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start': return runStart(rest);
    case 'demo': return runDemo(rest);
    case 'converter':
      if (rest[0] === 'test') return runConverterTest(rest.slice(1));
      console.error('usage: cloudbridge converter test --file F --payload P [--metadata JSON]');
      return 2;
    case 'token': return runToken(rest);
    case 'import-thingsboard': return runImportThingsBoard(rest);
    case 'config':
      if (rest[0] === 'lint') return runConfigLint(rest.slice(1));
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
  const e = toCloudbridgeError(err);
  console.error(`error [${e.code}]: ${e.message}`);
  process.exitCode = 1;
}

/** `cloudbridge config lint FILE [--diff [--config RUNNING_CONFIG | --store PATH_OR_URL]]`. */
import { lintConfig } from '../app/config-lint.ts';
import { formatProblem } from '../app/config-positions.ts';
import { parseCommand } from './args.ts';
import { diffConfig, formatPlan } from './config-diff.ts';

const HELP = `Usage: cloudbridge config lint FILE [--diff [--config RUNNING_CONFIG | --store PATH_OR_URL]]

Validates a config file as start-up would (schema, converter compilation, references, connector
configs, file references) without starting anything. Prints every error at once, one a line, as
"error: FILE:LINE:COLUMN FIELD: MESSAGE" (each names the fix); exit code 1 when there is one.
  --diff            also print what a start or reload with FILE would change in the store: each
                    converter, integration and forwarder to create, update (with the changed
                    fields; secrets only as "changed") or delete (config.mode declarative).
                    Exit code 0 when FILE is valid, whatever the changes.
  --config FILE     compare with the store of the instance running with this config file
  --store P         compare with this store: a SQLite file or a postgres:// URL
Without --config and --store, the diff compares with FILE's own store. Secrets are compared with
CLOUDBRIDGE_MASTER_KEY, else the master.key file beside the SQLite database.`;

export async function runConfigLint(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { diff: { type: 'boolean' }, config: { type: 'string' }, store: { type: 'string' } }, HELP);
  if (!parsed) return 0;
  const file = parsed.positionals[0];
  const { diff, config, store } = parsed.values;
  if (!file || ((config !== undefined || store !== undefined) && !diff)) {
    console.error(HELP);
    return 2;
  }
  const result = await lintConfig(file);
  for (const w of result.warnings) console.log(`warning: ${w}`);
  for (const p of result.problems) console.error(`error: ${formatProblem(file, p)}`);
  if (result.ok) console.log(`${file}: OK (${result.converters} converters, ${result.integrations} integrations)`);
  if (!result.ok) return 1;
  if (!diff) return 0;
  const { plan, label } = await diffConfig(file, { config: typeof config === 'string' ? config : undefined, store: typeof store === 'string' ? store : undefined });
  for (const p of plan.problems) console.error(`error: ${p.field}: ${p.message}`);
  if (plan.problems.length > 0) return 1;
  console.log(`changes against ${label}:`);
  for (const line of formatPlan(plan)) console.log(`  ${line}`);
  return 0;
}

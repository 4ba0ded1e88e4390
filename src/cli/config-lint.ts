/** `cloudbridge config lint FILE`. */
import { lintConfig } from '../app/config-lint.ts';
import { formatProblem } from '../app/config-positions.ts';
import { parseCommand } from './args.ts';

const HELP = `Usage: cloudbridge config lint FILE

Validates a config file as start-up would (schema, converter compilation, references, connector
configs) without starting anything. Prints every error at once, one a line, as
"error: FILE:LINE:COLUMN FIELD: MESSAGE" (each names the fix); exit code 1 when there is one.`;

export async function runConfigLint(args: string[]): Promise<number> {
  const parsed = parseCommand(args, {}, HELP);
  if (!parsed) return 0;
  const file = parsed.positionals[0];
  if (!file) {
    console.error(HELP);
    return 2;
  }
  const result = await lintConfig(file);
  for (const w of result.warnings) console.log(`warning: ${w}`);
  for (const p of result.problems) console.error(`error: ${formatProblem(file, p)}`);
  if (result.ok) console.log(`${file}: OK (${result.converters} converters, ${result.integrations} integrations)`);
  return result.ok ? 0 : 1;
}

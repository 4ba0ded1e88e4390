/** `cloudbridge config lint FILE`. */
import { lintConfig } from '../app/config-lint.ts';
import { parseCommand } from './args.ts';

const HELP = `Usage: cloudbridge config lint FILE

Validates a config file as start-up would (schema, converter compilation, references, connector
configs) without starting anything. Exit code 1 when it has errors; each names the field and the fix.`;

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
  for (const p of result.problems) console.error(`error: ${p.field}: ${p.message}`);
  if (result.ok) console.log(`${file}: OK (${result.converters} converters, ${result.integrations} integrations)`);
  return result.ok ? 0 : 1;
}

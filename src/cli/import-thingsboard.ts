/** `cloudbridge import-thingsboard FILE...`: ThingsBoard exports → a Cloudbridge config file and a report. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { importThingsBoard, type ExportInput } from '../import/thingsboard/import.ts';
import { formatReport } from '../import/thingsboard/report.ts';
import { parseCommand } from './args.ts';

const HELP = `Usage: cloudbridge import-thingsboard FILE... [--out cloudbridge.yaml] [--force] [--json]

Reads ThingsBoard integration and converter exports (a UI export, a list, a REST page {"data": [...]}
or an export package; AWS IoT, Kinesis, SQS, Azure IoT Hub, Event Hub, Service Bus, Pub/Sub, IBM
Watson IoT) and writes the equivalent Cloudbridge converters and integrations as a config file.
Secrets become \${ENV} references; the report (stderr) lists the variables to set, the TBEL lines to
port and what has no equivalent. Exit code 2 when a file or entity could not be imported (the others
still are).
  --out FILE   write the config there (default: stdout); an existing file needs --force
  --force      overwrite --out
  --json       print the report as JSON on stdout (with the YAML in "yaml") instead of text`;

export async function runImportThingsBoard(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { out: { type: 'string', short: 'o' }, force: { type: 'boolean' }, json: { type: 'boolean' } }, HELP);
  if (!parsed) return 0;
  const v = parsed.values as { out?: string; force?: boolean; json?: boolean };
  if (parsed.positionals.length === 0) {
    console.error(HELP);
    return 2;
  }
  if (v.out && existsSync(v.out) && !v.force) {
    console.error(`error: ${v.out} exists; give --force to overwrite it, or another --out`);
    return 2;
  }
  const inputs: ExportInput[] = [];
  const unreadable: Array<{ source: string; entity: string; reason: string }> = [];
  for (const file of parsed.positionals) {
    try {
      inputs.push({ source: file, text: readFileSync(file, 'utf8') });
    } catch (err) {
      unreadable.push({ source: file, entity: '(file)', reason: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  const result = importThingsBoard(inputs);
  result.skipped.unshift(...unreadable);
  const imported = result.config.converters.length + result.config.integrations.length > 0;
  if (imported && v.out) writeFileSync(v.out, result.yaml);
  if (v.json) console.log(JSON.stringify(result, null, 2));
  else {
    if (imported && !v.out) process.stdout.write(result.yaml);
    console.error(formatReport(result));
    if (imported && v.out) console.error(`Wrote ${v.out}; check it with: cloudbridge config lint ${v.out}`);
  }
  if (!imported) console.error('error: nothing could be imported (see Skipped)');
  return result.skipped.length > 0 || !imported ? 2 : 0;
}

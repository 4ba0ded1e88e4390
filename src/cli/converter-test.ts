/** `cloudbridge converter test`: runs a converter script on one sample and prints what it would store. */
import { readFileSync } from 'node:fs';
import { testConverter, type ConverterTestResult } from '../converters/index.ts';
import { decodePayload, encodedView } from '../app/converter-samples.ts';
import { parseCommand, UsageError } from './args.ts';
import { formatLogs, formatRecords } from './converter-output.ts';

const HELP = `Usage: cloudbridge converter test --file F (--payload P | --payload-file PF) [options]

Runs a converter (ThingsBoard Decoder/Encoder body, or JSONata) on a sample, with no side effects,
and prints the records it would store (devices and assets, telemetry points with their type and
timestamp, attributes) and the lines it wrote with console.log. Exit code 1 with the error when
the converter fails, 2 when the command is called wrongly (a missing option or file).
  --file F                 the converter script
  --type uplink|downlink   default uplink
  --language javascript|jsonata   default: jsonata for *.jsonata files, else javascript
  --payload P              uplink sample payload (text; see --encoding)
  --payload-file PF        read the uplink payload bytes from a file
  --encoding text|base64|hex   how --payload is written (default text)
  --metadata JSON          metadata object (default {"integrationName":"Test integration"})
  --msg JSON --msg-type T --integration-metadata JSON   downlink inputs
  --json                   print {output, records, logs} (uplink) or {output, encoded, logs} (downlink) as JSON`;

function json(flag: string, text: string | undefined, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${flag} is not valid JSON (${(err as Error).message}); write it like '{"key":"value"}'`);
  }
}

function readFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message}; check the path (relative paths are relative to the current directory)`);
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not "${value}"`);
}

function uplinkPayload(v: Record<string, string | undefined>): Uint8Array {
  if (v['payload-file'] !== undefined) return readFile('--payload-file', v['payload-file']);
  if (v.payload === undefined) throw new UsageError('an uplink test needs a sample: --payload P (text, or --encoding base64|hex) or --payload-file PF');
  const encoding = oneOf('--encoding', v.encoding, ['text', 'base64', 'hex'] as const, 'text');
  try {
    return decodePayload(v.payload, encoding);
  } catch (err) {
    throw new UsageError(`--payload: ${(err as Error).message} (--encoding ${encoding})`);
  }
}

export async function runConverterTest(args: string[]): Promise<number> {
  const parsed = parseCommand(args, {
    file: { type: 'string', short: 'f' }, type: { type: 'string' }, language: { type: 'string' },
    payload: { type: 'string', short: 'p' }, 'payload-file': { type: 'string' }, encoding: { type: 'string' },
    metadata: { type: 'string', short: 'm' }, msg: { type: 'string' }, 'msg-type': { type: 'string' },
    'integration-metadata': { type: 'string' }, json: { type: 'boolean' },
  }, HELP);
  if (!parsed) return 0;
  const v = parsed.values as Record<string, string | undefined>;
  const asJson = parsed.values.json === true;
  if (!v.file) throw new UsageError('--file F is required (the converter script)');
  const type = oneOf('--type', v.type, ['uplink', 'downlink'] as const, 'uplink');
  const language = oneOf('--language', v.language, ['javascript', 'jsonata'] as const, v.file.endsWith('.jsonata') ? 'jsonata' : 'javascript');
  const script = readFile('--file', v.file).toString('utf8');
  const metadata = json('--metadata', v.metadata, type === 'uplink' ? { integrationName: 'Test integration' } : {}) as Record<string, string>;
  const result: ConverterTestResult = type === 'uplink'
    ? await testConverter({ type, language, script, metadata, payload: uplinkPayload(v) })
    : await testConverter({
      type, language, script, metadata,
      msg: json('--msg', v.msg, {}), msgType: v['msg-type'] ?? 'ATTRIBUTES_UPDATED',
      integrationMetadata: json('--integration-metadata', v['integration-metadata'], { integrationName: 'Test integration' }) as Record<string, string>,
    });
  const encoded = result.encoded?.map(encodedView);
  if (asJson) {
    console.log(JSON.stringify(type === 'uplink' ? { output: result.output, records: result.records, logs: result.logs } : { output: result.output, encoded, logs: result.logs }, null, 2));
  } else if (!result.error) {
    const body = type === 'uplink' ? formatRecords(result.records ?? []) : JSON.stringify(encoded, null, 2).split('\n');
    console.log([...body, ...formatLogs(result.logs)].join('\n'));
  } else if (result.logs.length > 0) {
    console.log(formatLogs(result.logs).join('\n'));
  }
  if (result.error) {
    console.error(`error [${result.error.code}] (${result.error.stage}): ${result.error.message}`);
    return 1;
  }
  return 0;
}

/** `cloudbridge converter test`: runs a converter script on one sample and prints the result. */
import { readFileSync } from 'node:fs';
import { testConverter } from '../converters/index.ts';
import { decodePayload, encodedView } from '../app/converter-samples.ts';
import { CloudbridgeError } from '../core/errors.ts';
import { parseCommand } from './args.ts';

const HELP = `Usage: cloudbridge converter test --file F (--payload P | --payload-file PF) [options]

Runs a converter (ThingsBoard Decoder/Encoder body, or JSONata) on a sample, with no side effects,
and prints its output as JSON. Exit code 1 with the error when the converter fails.
  --file F                 the converter script
  --type uplink|downlink   default uplink
  --language javascript|jsonata   default: jsonata for *.jsonata files, else javascript
  --payload P              uplink sample payload (text; see --encoding)
  --payload-file PF        read the uplink payload bytes from a file
  --encoding text|base64|hex   how --payload is written (default text)
  --metadata JSON          metadata object (default {"integrationName":"Test integration"})
  --msg JSON --msg-type T --integration-metadata JSON   downlink inputs`;

function json(flag: string, text: string | undefined, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CloudbridgeError('CONFIG_INVALID', `${flag} is not valid JSON: ${(err as Error).message}`, { field: flag });
  }
}

export async function runConverterTest(args: string[]): Promise<number> {
  const parsed = parseCommand(args, {
    file: { type: 'string', short: 'f' }, type: { type: 'string' }, language: { type: 'string' },
    payload: { type: 'string', short: 'p' }, 'payload-file': { type: 'string' }, encoding: { type: 'string' },
    metadata: { type: 'string', short: 'm' }, msg: { type: 'string' }, 'msg-type': { type: 'string' },
    'integration-metadata': { type: 'string' },
  }, HELP);
  if (!parsed) return 0;
  const v = parsed.values as Record<string, string | undefined>;
  if (!v.file) throw new CloudbridgeError('CONFIG_INVALID', '--file is required (the converter script)', { field: '--file' });
  const script = readFileSync(v.file, 'utf8');
  const type = (v.type ?? 'uplink') as 'uplink' | 'downlink';
  const language = (v.language ?? (v.file.endsWith('.jsonata') ? 'jsonata' : 'javascript')) as 'javascript' | 'jsonata';
  const metadata = json('--metadata', v.metadata, type === 'uplink' ? { integrationName: 'Test integration' } : {}) as Record<string, string>;
  const result = type === 'uplink'
    ? await testConverter({
      type, language, script, metadata,
      payload: v['payload-file'] ? readFileSync(v['payload-file']) : decodePayload(v.payload ?? '', (v.encoding ?? 'text') as 'text' | 'base64' | 'hex'),
    })
    : await testConverter({
      type, language, script, metadata,
      msg: json('--msg', v.msg, {}), msgType: v['msg-type'] ?? 'ATTRIBUTES_UPDATED',
      integrationMetadata: json('--integration-metadata', v['integration-metadata'], { integrationName: 'Test integration' }) as Record<string, string>,
    });
  if (result.error) {
    console.error(`error [${result.error.code}]: ${result.error.message}`);
    return 1;
  }
  console.log(JSON.stringify(type === 'uplink' ? result.output : { output: result.output, encoded: result.encoded?.map(encodedView) }, null, 2));
  return 0;
}

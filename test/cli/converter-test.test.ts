/** `cloudbridge converter test`: what would be stored, the script's console lines, and usage mistakes as one-line errors. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli.ts';

const DECODER = `var d = decodeToJson(payload);
console.log('decoding', d.id, 'for', metadata.topic);
return {
  deviceName: d.id, deviceType: 'meter',
  telemetry: [{ ts: 1767225600000, values: { kWh: 12.5, on: true, state: 'ok', count: 3 } }],
  attributes: { firmware: 'v2' }
};
function decodeToJson(p) { return JSON.parse(String.fromCharCode.apply(null, p)); }
`;

describe('cloudbridge converter test', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cb-cli-conv-'));
    file = join(dir, 'decoder.js');
    writeFileSync(file, DECODER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the records that would be stored (types, timestamps) and the console lines', async () => {
    const r = await cli(['converter', 'test', '--file', 'decoder.js', '--payload', '{"id":"meter-7"}', '--metadata', '{"topic":"m/7"}'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      'DEVICE meter-7 (type meter)',
      '  telemetry:',
      '    2026-01-01T00:00:00.000Z  kWh = 12.5 (double)',
      '    2026-01-01T00:00:00.000Z  on = true (bool)',
      '    2026-01-01T00:00:00.000Z  state = "ok" (string)',
      '    2026-01-01T00:00:00.000Z  count = 3 (long)',
      '  attributes (client scope):',
      '    firmware = "v2" (string)',
      'console:',
      '  log: decoding meter-7 for m/7',
      '',
    ].join('\n'));
    const json = await cli(['converter', 'test', '--json', '--file', file, '--payload', '7b226964223a226d2d38227d', '--encoding', 'hex'], { cwd: dir });
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout) as { records: Array<{ name: string; telemetry: Array<{ ts: number; key: string; value: unknown }> }>; logs: string[] };
    assert.equal(body.records[0]?.name, 'm-8');
    assert.deepEqual(body.records[0]?.telemetry[0], { ts: 1767225600000, key: 'kWh', value: { type: 'double', value: 12.5 } });
    assert.deepEqual(body.logs, ['log: decoding m-8 for undefined']);
  });

  it('a converter error: the error with its stage (convert); exit 1', async () => {
    const r = await cli(['converter', 'test', '--file', file, '--payload', 'not json'], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error \[PAYLOAD_INVALID\] \(convert\): /);
  });

  it('usage mistakes: one line saying what to do, exit 2, never INTERNAL', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--file', file], /^error: an uplink test needs a sample: --payload P .* or --payload-file PF\n$/],
      [['--payload', '{}'], /^error: --file F is required \(the converter script\)\n$/],
      [['--file', 'missing.js', '--payload', '{}'], /^error: cannot read --file missing\.js: no such file; check the path/],
      [['--file', file, '--payload-file', 'nope.bin'], /^error: cannot read --payload-file nope\.bin: no such file/],
      [['--file', file, '--payload', '{}', '--encoding', 'utf16'], /^error: --encoding must be one of text, base64, hex, not "utf16"\n$/],
      [['--file', file, '--payload', 'xyz', '--encoding', 'hex'], /^error: --payload: payload is not valid hex \(--encoding hex\)\n$/],
      [['--file', file, '--payload', '{}', '--metadata', '{oops'], /^error: --metadata is not valid JSON .*\n$/],
      [['--file', file, '--payload', '{}', '--type', 'sideways'], /^error: --type must be one of uplink, downlink, not "sideways"\n$/],
      [['--file', file, '--payload'], /^error: Option '-p, --payload <value>' argument missing; see --help\n$/],
    ];
    for (const [args, expected] of cases) {
      const r = await cli(['converter', 'test', ...args], { cwd: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /INTERNAL/);
    }
  });
});

/**
 * `config lint` as a CI runs it: every error of the file at once, each as
 * `error: FILE:LINE:COLUMN FIELD: MESSAGE`; enum errors list the allowed values; close misspellings
 * (fields, enum values, converter names) get a "did you mean". `start` fails the same way, with
 * the line and column, also for a converter name that only the store could resolve.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TEST_MASTER_KEY } from '../e2e/harness.ts';

const BIN = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DECODER = `    type: uplink\n    script: "return {deviceName: 'x'};"\n`;
const mqtt = (name: string, converter: string): string => `  - name: ${name}
    type: mqtt
    uplinkConverter: ${converter}
    config: { host: 127.0.0.1, clientId: ${name}-1, topicFilters: [{ filter: "${name}/#", qos: 1 }] }
`;

describe('config lint: every error at once, with line and column', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'cb-lint-all-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reports schema, enum, converter, reference and connector errors of one file together', () => {
    const path = file('all.yaml', `server:
  port: eighty
logging:
  level: verbose
converters:
  - name: my-decoder
${DECODER}  - name: broken
    type: uplink
    script: "return {deviceName: ;"
integrations:
${mqtt('a', 'my-decoder')}  - name: b
    type: mqttt
    uplinkConverter: my-decoder
    config: {}
  - name: c
    type: mqtt
    uplinkConverter: my-decodr
    config:
      host: h
      prot: 1883
      topicFilters: [{ filter: "c/#", qos: 1 }]
`);
    const r = run('config', 'lint', path);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    const expected = [
      /^error: \S+all\.yaml:2:3 server\.port: Expected integer; got "eighty"$/,
      /^error: \S+all\.yaml:4:3 logging\.level: must be one of: "trace", "debug", "info", "warn", "error", "silent"; got "verbose"$/,
      /^error: \S+all\.yaml:11:5 converters\[1\]\.script: /,
      /^error: \S+all\.yaml:18:5 integrations\[1\]\.type: must be one of: "mqtt", .*; got "mqttt"; did you mean "mqtt"\?$/,
      /^error: \S+all\.yaml:23:5 integrations\[2\]\.uplinkConverter: converter "my-decodr" is not defined in this file; did you mean "my-decoder"\?$/,
      /^error: \S+all\.yaml:26:7 integrations\[2\]\.config\.prot: unknown property; did you mean port\?$/,
    ];
    for (const re of expected) assert.ok(lines.some((l) => re.test(l)), `${re} not in:\n${r.stderr}`);
    assert.equal(lines.length, expected.length, r.stderr);
  });

  it('a converter name neither in the file nor close to one of it is a warning (it may be in the store)', () => {
    const path = file('store-ref.yaml', `converters:\n  - name: my-decoder\n${DECODER}integrations:\n${mqtt('a', 'shared-decoder')}`);
    const r = run('config', 'lint', path);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /warning: integrations\[0\]\.uplinkConverter: "shared-decoder" is not defined in this file; it must already exist in the store/);
  });

  it('reports every YAML syntax error with its position, never the line', () => {
    const path = file('syntax.yaml', 'server:\n  port: "8080\nlogging: { level: info\n');
    const r = run('config', 'lint', path);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: \S+syntax\.yaml:\d+:\d+: YAML syntax error: /m);
  });
});

describe('start: a misspelled converter name fails with the field, the integration and a "did you mean"', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cb-start-ref-'));
    // A converter that exists only in the store (created by an earlier start).
    const t = await startTestApp({ dir, yaml: `converters:\n  - name: shared-decoder\n${DECODER}` });
    await t.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const config = (integrations: string): string => {
    const path = join(dir, 'start.yaml');
    writeFileSync(path, `store: { sqlite: { path: ${join(dir, 'cloudbridge.db')} } }\nserver: { port: 0, host: 127.0.0.1 }\nconverters:\n  - name: my-decoder\n${DECODER}integrations:\n${integrations}`);
    return path;
  };

  it('misspellings of converters of the file: every one, and nothing of the file is applied', async () => {
    const r = run('start', '--config', config(`${mqtt('a', 'my-decoder')}${mqtt('c', 'my-decodr')}${mqtt('d', 'My_Decoder2')}`));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /start\.yaml:14:5 integrations\[1\]\.uplinkConverter: converter "my-decodr" not found \(integration "c"\); did you mean "my-decoder"\?/);
    assert.match(r.stderr, /start\.yaml:18:5 integrations\[2\]\.uplinkConverter: converter "My_Decoder2" not found \(integration "d"\); did you mean "my-decoder"\?/);
    const t = await startTestApp({ dir });
    try {
      assert.equal((await t.api.call('GET', '/integrations/a')).status, 404);
      assert.equal((await t.api.call('GET', '/converters/my-decoder')).status, 404);
    } finally {
      await t.close();
    }
  });

  it('a misspelling of a converter that only the store has', () => {
    const r = run('start', '--config', config(mqtt('s', 'shared-decodr')));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /start\.yaml:10:5 integrations\[0\]\.uplinkConverter: converter "shared-decodr" not found \(integration "s"\); did you mean "shared-decoder"\?/);
  });

  it('a name that only the store has is valid at start', async () => {
    const t = await startTestApp({ dir, yaml: `converters:\n  - name: my-decoder\n${DECODER}integrations:\n${mqtt('s', 'shared-decoder')}` });
    try {
      const view = await t.api.get<{ uplinkConverter: { name: string } }>('/integrations/s');
      assert.equal(view.uplinkConverter.name, 'shared-decoder');
    } finally {
      await t.close();
    }
  });

  it('a schema error of the file has its line and column', () => {
    const path = join(dir, 'port.yaml');
    writeFileSync(path, `store: { sqlite: { path: ${join(dir, 'cloudbridge.db')} } }\nserver:\n  port: eighty\n`);
    const r = run('start', '--config', path);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CONFIG_INVALID.*port\.yaml:3:3 server\.port: Expected integer; got "eighty"/);
  });
});

/** `cloudbridge config lint` and `start` never print a secret of the config file, also not in YAML syntax errors. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;
const SECRET = 'AKIA-SUPER-SECRET';

function run(...args: string[]): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CLOUDBRIDGE_MASTER_KEY: 'k' } });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

const CONVERTER = `converters:\n  - name: d\n    type: uplink\n    script: "return {deviceName: 'x'};"\n`;

describe('config lint and start: no secret in the output', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'cb-lint-secrets-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('a secret under a misspelled field: the field and the fix, not the secret', () => {
    const path = file('typo.yaml', `${CONVERTER}integrations:
  - name: q
    type: aws-sqs
    uplinkConverter: d
    config:
      queueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/q
      accessKeyId: AKIAIOSFODNN7EXAMPLE
      secretAccesKey: ${SECRET}
  - name: m
    type: mqtt
    uplinkConverter: d
    config:
      host: h
      topicFilters: [{ filter: a/# }]
      tls: { enabled: true, pass_phrase: ${SECRET} }
`);
    const r = run('config', 'lint', path);
    assert.equal(r.code, 1, r.output);
    assert.ok(!r.output.includes(SECRET), r.output);
    assert.match(r.output, /error: \S+typo\.yaml:12:7 integrations\[0\]\.config\.secretAccesKey: unknown property; did you mean secretAccessKey\?/);
    assert.match(r.output, /error: \S+typo\.yaml:19:29 integrations\[1\]\.config\.tls\.pass_phrase: unknown property; did you mean passphrase\?/);
  });

  it('a mapping typed without the space after the colon: the field and the type, not the text', () => {
    const path = file('colon.yaml', `${CONVERTER}integrations:
  - name: m
    type: mqtt
    uplinkConverter: d
    config:
      host: h
      topicFilters: [{ filter: a/# }]
      tls:
        passphrase:${SECRET}
`);
    const r = run('config', 'lint', path);
    assert.equal(r.code, 1, r.output);
    assert.ok(!r.output.includes(SECRET), r.output);
    assert.match(r.output, /error: \S+colon\.yaml:12:7 integrations\[0\]\.config\.tls: Expected object; got a string \(value not shown\)/);
  });

  it('a misspelled store.postgres.url: hidden in lint and in start', () => {
    const path = file('pg.yaml', `store:\n  postgres:\n    uri: postgres://cb:${SECRET}@db/cb\n`);
    for (const r of [run('config', 'lint', path), run('start', '--config', path)]) {
      assert.equal(r.code, 1, r.output);
      assert.ok(!r.output.includes(SECRET), r.output);
      assert.match(r.output, /store\.postgres\.uri: unknown property; did you mean url\?/);
    }
  });

  const syntax: Array<[string, string, RegExp]> = [
    ['a nested mapping in a value', `      password: ${SECRET}: x\n`, /syntax\.yaml:7:\d+: YAML syntax error: Nested mappings are not allowed/],
    ['a bad escape in a double-quoted value', `      password: "${SECRET}\\q"\n`, /syntax\.yaml:7:\d+: YAML syntax error: invalid escape sequence/],
    ['an unclosed quote', `      password: "${SECRET}\n`, /Missing closing "quote/],
    ['a value starting with *', `      password: *${SECRET}\n`, /an alias \(\*name\) has no anchor/],
    ['a value starting with !', `      password: !${SECRET}\n`, /syntax\.yaml:7:\d+: YAML syntax error: unknown tag; a value that starts with ! must be put in quotes/],
    ['a value starting with @', `      password: @${SECRET}\n`, /syntax\.yaml:7:\d+: YAML syntax error: a plain value cannot start with this character/],
  ];
  for (const [what, line, expected] of syntax) {
    it(`a YAML syntax error on the line of a secret (${what}): position and fix, not the line`, () => {
      const path = file('syntax.yaml', `integrations:\n  - name: m\n    type: mqtt\n    uplinkConverter: d\n    config:\n      username: u\n${line}      host: h\n`);
      const r = run('config', 'lint', path);
      assert.equal(r.code, 1, r.output);
      assert.ok(!r.output.includes(SECRET), r.output);
      assert.match(r.output, expected);
    });
  }
});

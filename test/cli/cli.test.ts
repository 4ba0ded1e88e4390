/** The cloudbridge command line, run as a user runs it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;
const DECODER = new URL('../fixtures/tb-decoder.js', import.meta.url).pathname;

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cloudbridge CLI', () => {
  it('converter test runs an unchanged ThingsBoard decoder and prints its result', () => {
    const payload = JSON.stringify({ deviceName: 'Thermometer', deviceType: 'thermostat', serialNumber: 'SN-12345', temperature: 25.5 });
    const r = run('converter', 'test', '--json', '--file', DECODER, '--payload', payload, '--metadata', '{"integrationName":"Test integration"}');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { output: unknown }).output, {
      deviceName: 'Thermometer', deviceType: 'thermostat',
      attributes: { serialNumber: 'SN-12345', integrationName: 'Test integration' },
      telemetry: { temperature: 25.5 },
    });
  });

  it('converter test exits 1 with the error for a malformed payload', () => {
    const r = run('converter', 'test', '--file', DECODER, '--payload', '{"deviceName": ');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /PAYLOAD_INVALID/);
  });

  it('config lint names the field and the fix, and passes a valid file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-cli-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, `converters:\n  - name: d\n    type: uplink\n    script: "return {deviceName: 'x'};"\nintegrations:\n  - name: i\n    type: mqtt\n    uplinkConverter: d\n    config:\n      host: h\n      port: 99999\n      topicFilters: [{filter: "a/#", qos: 1}]\n`);
      const r = run('config', 'lint', bad);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /integrations\[0\]\.config\.port/);
      const pw = join(dir, 'pw.yaml');
      writeFileSync(pw, `converters:\n  - name: d\n    type: uplink\n    script: "return {deviceName: 'x'};"\nintegrations:\n  - name: i\n    type: mqtt\n    uplinkConverter: d\n    config:\n      host: h\n      clientId: c\n      password: p\n      topicFilters: [{filter: "a/#", qos: 1}]\n`);
      assert.match(run('config', 'lint', pw).stderr, /integrations\[0\]\.config\.username: password is set without username/);
      const good = join(dir, 'good.yaml');
      writeFileSync(good, `converters:\n  - name: d\n    type: uplink\n    script: "return {deviceName: 'x'};"\nintegrations:\n  - name: i\n    type: mqtt\n    uplinkConverter: d\n    config:\n      host: h\n      clientId: cb-1\n      topicFilters: [{filter: "a/#", qos: 1}]\n      username: cb\n      password: \${MQTT_PASSWORD:-none}\n`);
      const ok = run('config', 'lint', good);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /OK \(1 converters, 1 integrations\)/);
      const syntax = join(dir, 'syntax.yaml');
      writeFileSync(syntax, `converters:\n  - name: d\n    type: uplink\n    script: "return {deviceName: ;"\n`);
      const s = run('config', 'lint', syntax);
      assert.equal(s.code, 1);
      assert.match(s.stderr, /converters\[0\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('start refuses an invalid config file with the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-cli-'));
    try {
      const file = join(dir, 'c.yaml');
      writeFileSync(file, `store: { sqlite: { path: ${join(dir, 'db.sqlite')} } }\nserver: { port: "eighty" }\n`);
      const r = run('start', '--config', file);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /CONFIG_INVALID.*server\.port/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('config lint and start refuse two converters or integrations with one name, naming both entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-cli-'));
    try {
      const integration = (name: string): string => `  - name: ${name}\n    type: mqtt\n    uplinkConverter: d\n    config:\n      host: h\n      clientId: ${name}\n      topicFilters: [{filter: "a/#", qos: 1}]\n`;
      const file = join(dir, 'dup.yaml');
      writeFileSync(file, `store: { sqlite: { path: ${join(dir, 'db.sqlite')} } }\nconverters:\n  - name: d\n    type: uplink\n    script: "return {deviceName: 'x'};"\n  - name: d\n    type: uplink\n    script: "return {deviceName: 'y'};"\nintegrations:\n${integration('i')}${integration('j')}${integration('i')}`);
      const lint = run('config', 'lint', file);
      assert.equal(lint.code, 1);
      assert.match(lint.stderr, /converters\[1\]\.name: converter name "d" is also used by converters\[0\]/);
      assert.match(lint.stderr, /integrations\[2\]\.name: integration name "i" is also used by integrations\[0\]: names must be unique/);
      const start = run('start', '--config', file);
      assert.equal(start.code, 1);
      assert.match(start.stderr, /CONFIG_INVALID[\s\S]*dup\.yaml:6:5 converters\[1\]\.name.*converters\[0\][\s\S]*dup\.yaml:24:5 integrations\[2\]\.name.*integrations\[0\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates a viewer token that can read but not change, without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-cli-'));
    const { startTestApp } = await import('../e2e/harness.ts');
    const t = await startTestApp({ dir });
    try {
      const file = join(dir, 'c.yaml');
      writeFileSync(file, `store: { sqlite: { path: ${join(dir, 'cloudbridge.db')} } }\n`);
      const created = run('token', 'create', '--name', 'grafana', '--role', 'viewer', '--config', file);
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();
      assert.match(token, /^cb_/);
      const headers = { authorization: `Bearer ${token}` };
      assert.equal((await fetch(`${t.url}/api/v1/devices`, { headers })).status, 200);
      const post = await fetch(`${t.url}/api/v1/converters`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(post.status, 403);
      const listed = run('token', 'list', '--config', file);
      assert.match(listed.stdout, /viewer .* grafana/);
      assert.ok(!listed.stdout.includes(token), 'list never shows a token');
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints help for each command', () => {
    for (const args of [['--help'], ['start', '--help'], ['demo', '--help'], ['converter', 'test', '--help'], ['config', 'lint', '--help'], ['token', '--help'], ['migrate', '--help'], ['integrations', '--help'], ['converters', '--help']]) {
      const r = run(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage|cloudbridge/);
    }
  });
});

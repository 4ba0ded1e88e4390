/** `cloudbridge import-thingsboard` run as a user runs it, and the imported decoders under `converter test`. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { envFor, FIXTURES, IOT_HUB_SERVICE_STRING, TYPE_FILES } from './helpers.ts';

const BIN = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;
const FILES = [...new Set(Object.values(TYPE_FILES).flat())];
const dir = mkdtempSync(join(tmpdir(), 'cb-tb-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, cwd: FIXTURES, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function converterScript(yamlText: string, name: string): string {
  const doc = parse(yamlText) as { converters: Array<{ name: string; script: string }> };
  const script = doc.converters.find((c) => c.name === name)?.script;
  assert.ok(script, `converter "${name}" not in the YAML`);
  return script;
}

describe('cloudbridge import-thingsboard', () => {
  const out = join(dir, 'cloudbridge.yaml');

  it('writes a config file that config lint accepts, and reports env vars and TBEL lines', () => {
    const r = run(['import-thingsboard', ...FILES, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Imported 13 converter\(s\) and 10 integration\(s\)\./);
    assert.match(r.stderr, /CB_AWS_SQS_ORDERS_SECRET_ACCESS_KEY {2}integration "orders" config\.secretAccessKey/);
    assert.match(r.stderr, /line 2: var readings = \[:\];\n {4}TBEL empty map literal/);
    assert.match(r.stderr, /Wrote .*cloudbridge\.yaml/);
    const env = { ...envFor(FILES, { CB_AZURE_IOT_HUB_IOT_HUB_DEVICE_CONNECTION_STRING: IOT_HUB_SERVICE_STRING }) };
    const lint = run(['config', 'lint', out], env);
    assert.equal(lint.code, 0, lint.stderr);
    assert.match(lint.stdout, /OK \(13 converters, 10 integrations\)/);
  });

  it('refuses to overwrite --out without --force', () => {
    writeFileSync(out, 'keep me\n');
    const r = run(['import-thingsboard', 'aws-kinesis.json', '--out', out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exists; give --force/);
    assert.equal(readFileSync(out, 'utf8'), 'keep me\n');
    assert.equal(run(['import-thingsboard', 'aws-kinesis.json', '--out', out, '--force']).code, 0);
    assert.match(readFileSync(out, 'utf8'), /name: Kinesis fleet/);
  });

  it('bad input: exit 2 naming the file and the entity, the rest still imported to stdout, never INTERNAL', () => {
    const bad = join(dir, 'not-json.json');
    writeFileSync(bad, 'this is not json');
    const r = run(['import-thingsboard', 'aws-kinesis.json', 'http-integration.json', bad, join(dir, 'missing.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /http-integration\.json: integration "HTTP sensors": type HTTP is not one of the integration types Cloudbridge imports \(AWS_IOT, .*, MQTT\)/);
    assert.match(r.stderr, /not-json\.json: \(file\): not JSON/);
    assert.match(r.stderr, /missing\.json: \(file\): cannot be read: ENOENT/);
    assert.doesNotMatch(r.stderr, /INTERNAL/);
    assert.match(r.stdout, /name: Kinesis fleet/);
  });

  it('--json prints the report as JSON', () => {
    const r = run(['import-thingsboard', 'aws-sqs.json', 'aws-sqs-uplink.json', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { env: Array<{ name: string }>; unmapped: Array<{ field: string }>; yaml: string };
    assert.deepEqual(report.env.map((e) => e.name), ['CB_AWS_SQS_ORDERS_ACCESS_KEY_ID', 'CB_AWS_SQS_ORDERS_SECRET_ACCESS_KEY']);
    assert.ok(report.unmapped.some((u) => u.field === 'configuration.sqsConfiguration.pollingPeriodSeconds'));
    assert.match(report.yaml, /^# Cloudbridge converters and integrations imported from ThingsBoard/);
  });
});

describe('imported decoders give ThingsBoard\'s result in converter test', () => {
  const yamlText = run(['import-thingsboard', ...FILES]).stdout;
  /** `payload`: JSON sent as text, or a hex string of bytes. */
  const test = (name: string, payload: unknown, metadata: Record<string, string>, hex = false): { code: number | null; out: unknown; stderr: string } => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.js`);
    writeFileSync(file, converterScript(yamlText, name));
    const sample = hex ? ['--payload', String(payload), '--encoding', 'hex'] : ['--payload', JSON.stringify(payload)];
    const r = run(['converter', 'test', '--json', '--file', file, ...sample, '--metadata', JSON.stringify(metadata)]);
    return { code: r.code, out: r.code === 0 ? (JSON.parse(r.stdout) as { output: unknown }).output : null, stderr: r.stderr };
  };

  it('the default JavaScript template shape (AWS IoT): device from the topic, attributes and telemetry', () => {
    const r = test('AWS IoT uplink', { model: 'TH-2', temperature: 21.5, humidity: 40 }, { integrationName: 'AWS IoT plant', topic: 'plant/boiler-7/telemetry' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.out, { deviceName: 'boiler-7', deviceType: 'thermostat', attributes: { model: 'TH-2', integrationName: 'AWS IoT plant' }, telemetry: { temperature: 21.5, humidity: 40 } });
  });

  it('telemetry with its own ts (Kinesis)', () => {
    const r = test('Kinesis uplink', { device: 'truck-12', ts: 1717000000000, lat: 52.1, lon: 4.3, speed: 61 }, { integrationName: 'Kinesis fleet', partitionKey: 'truck-12', sequenceNumber: '4960' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.out, { deviceName: 'truck-12', deviceType: 'tracker', attributes: { partitionKey: 'truck-12' }, telemetry: { ts: 1717000000000, values: { lat: 52.1, lon: 4.3, speed: 61 } } });
  });

  it('a TBEL decoder kept unchanged runs as JavaScript (Service Bus)', () => {
    const r = test('Service Bus uplink', { serial: 'M-1', energy: 12.5, power: 3 }, { integrationName: 'Service Bus meters' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.out, { deviceName: 'M-1', deviceType: 'energy-meter', telemetry: { energy: 12.5, power: 3 } });
  });

  it('MQTT: the device from the topic and the integration metadata, as ThingsBoard gave them', () => {
    const r = test('MQTT line 1 uplink', { pressure: 6.2, cycles: 1200 }, { integrationName: 'Factory line 1', line: '1', topic: 'factory/line1/press-4/telemetry' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.out, { deviceName: 'press-4', deviceType: 'press', attributes: { line: '1', integrationName: 'Factory line 1' }, telemetry: { pressure: 6.2, cycles: 1200 } });
  });

  it('MQTT: a binary payload read byte by byte', () => {
    const r = test('MQTT line 2 uplink', '000400d7', { integrationName: 'Factory line 2', topic: 'line2/oven/4' }, true);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.out, { deviceName: 'line2-machine-4', deviceType: 'oven', telemetry: { temperature: 21.5 } });
  });

  it('a TBEL placeholder fails with what to do', () => {
    const r = test('IoT Hub TBEL uplink', { deviceId: 'd1' }, { integrationName: 'IoT Hub device' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CONVERTER_RUNTIME.*IoT Hub TBEL uplink.*not yet ported to JavaScript/);
  });
});

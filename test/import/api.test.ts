/** POST /api/v1/import/thingsboard: dry run, apply (secrets stored encrypted), refusals. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../e2e/harness.ts';
import { FIXTURES, fixtureSecrets, IOT_HUB_SERVICE_STRING, TYPE_FILES } from './helpers.ts';

const FILES = [...new Set(Object.values(TYPE_FILES).flat())];
const exportsOf = (files: string[]): unknown[] => files.map((f) => JSON.parse(readFileSync(FIXTURES + f, 'utf8')));
const IOT_HUB_VAR = 'CB_AZURE_IOT_HUB_IOT_HUB_DEVICE_CONNECTION_STRING';

interface Report { env: Array<{ name: string; inExport: boolean }>; yaml: string; config: { integrations: Array<{ name: string }> }; skipped: unknown[] }
interface ImportAnswer { applied: boolean; report: Report; converters?: Array<{ name: string; action: string }>; integrations?: Array<{ name: string; action: string; enabled: boolean }> }
interface ErrorAnswer { error: { code: string; message: string; details: Record<string, unknown> } }

describe('POST /api/v1/import/thingsboard', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  it('dry run: answers the report and the config file, changes nothing, shows no secret', async () => {
    const r = await t.api.call('POST', '/import/thingsboard', { exports: exportsOf(FILES) });
    assert.equal(r.status, 200, r.text);
    const body = r.body as ImportAnswer;
    assert.equal(body.applied, false);
    assert.equal(body.report.config.integrations.length, 10);
    assert.deepEqual(body.report.skipped, []);
    assert.equal(body.report.env.find((e) => e.name === IOT_HUB_VAR)?.inExport, false);
    for (const s of fixtureSecrets(FILES)) assert.ok(!r.text.includes(JSON.stringify(s).slice(1, -1)), 'a secret of the export is in the answer');
    assert.deepEqual(await t.api.get('/integrations'), []);
    assert.deepEqual(await t.api.get('/converters'), []);
  });

  it('apply without a secret the export lacks: 400 naming the variable, nothing applied', async () => {
    const r = await t.api.call('POST', '/import/thingsboard', { exports: exportsOf(FILES), apply: true });
    assert.equal(r.status, 400);
    const e = (r.body as ErrorAnswer).error;
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.match(e.message, new RegExp(IOT_HUB_VAR));
    assert.deepEqual(await t.api.get('/integrations'), []);
  });

  it('apply with an entity that cannot be imported: 400 naming it, nothing applied', async () => {
    const r = await t.api.call('POST', '/import/thingsboard', { exports: exportsOf(['aws-sqs.json', 'aws-sqs-uplink.json', 'http-integration.json']), apply: true });
    assert.equal(r.status, 400);
    assert.match((r.body as ErrorAnswer).error.message, /exports\[2\] integration "HTTP sensors": type HTTP is not one of/);
    assert.deepEqual(await t.api.get('/converters'), []);
  });

  it('apply creates the converters and integrations as exported (disabled), secrets stored encrypted; again: updated', async () => {
    const r = await t.api.call('POST', '/import/thingsboard', { exports: exportsOf(FILES), apply: true, env: { [IOT_HUB_VAR]: IOT_HUB_SERVICE_STRING } });
    assert.equal(r.status, 200, r.text);
    const body = r.body as ImportAnswer;
    assert.equal(body.applied, true);
    assert.equal(body.converters?.length, 13);
    assert.deepEqual(body.integrations?.map((i) => [i.name, i.action, i.enabled]).sort(), [
      ['AWS IoT plant', 'created', false], ['Event Hub telemetry', 'created', false], ['Factory line 1', 'created', false],
      ['Factory line 2', 'created', false], ['IoT Hub device', 'created', false],
      ['Kinesis fleet', 'created', false], ['Pub-Sub gateways', 'created', false], ['Service Bus meters', 'created', false],
      ['Watson pumps', 'created', false], ['orders', 'created', false],
    ]);
    const sqs = await t.api.get<{ type: string; allowCreateDevices: boolean; metadata: Record<string, string>; config: Record<string, unknown>; uplinkConverter: { name: string } }>('/integrations/orders');
    assert.equal(sqs.type, 'aws-sqs');
    assert.equal(sqs.allowCreateDevices, false);
    assert.deepEqual(sqs.metadata, { source: 'orders-queue' });
    assert.equal(sqs.uplinkConverter.name, 'SQS orders uplink');
    assert.equal(sqs.config.queueUrl, 'https://sqs.us-west-2.amazonaws.com/123456789012/tb-orders');
    assert.equal(sqs.config.secretAccessKey, '***');
    const hub = await t.api.get<{ config: Record<string, unknown> }>('/integrations/IoT%20Hub%20device');
    assert.equal(hub.config.connectionString, '***');
    // The database and its write-ahead log: wherever the rows are.
    const db = Buffer.concat(readdirSync(t.dir).filter((f) => f.startsWith('cloudbridge.db')).map((f) => readFileSync(join(t.dir, f))));
    assert.ok(db.includes('tb-orders'), 'the stored rows are not where the test looks');
    for (const s of [...fixtureSecrets(['aws-sqs.json', 'azure-service-bus.json']), IOT_HUB_SERVICE_STRING]) {
      // Access key ids are not secret in Cloudbridge's spec (stored as given); the remote-integration secret is not imported.
      if (s.startsWith('AKIA') || s.startsWith('tbsecret')) continue;
      assert.ok(!db.includes(s), `a secret is stored in clear: ${s.slice(0, 12)}…`);
    }
    const again = await t.api.call('POST', '/import/thingsboard', { exports: exportsOf(FILES), apply: true, env: { [IOT_HUB_VAR]: IOT_HUB_SERVICE_STRING } });
    assert.equal(again.status, 200, again.text);
    assert.ok((again.body as ImportAnswer).integrations?.every((i) => i.action === 'updated'));
  });

  it('a body without exports is refused in the error envelope', async () => {
    const r = await t.api.call('POST', '/import/thingsboard', { exports: [], apply: 'yes' });
    assert.equal(r.status, 400);
    assert.equal((r.body as ErrorAnswer).error.code, 'CONFIG_INVALID');
  });
});

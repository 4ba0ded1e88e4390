/**
 * The converters API is as strict as the integrations API, with the same error shape (and so are
 * the token, downlink and bulk dead-letter bodies): a value of
 * the wrong type is refused (not coerced: `script: 42` used to run as "42"), an unknown field is
 * refused with the closest known name (not silently dropped), an enum lists its values. A
 * converter reference that names no converter says which field, which integration and the
 * closest name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../e2e/harness.ts';

interface ErrorBody { error: { code: string; message: string; retryable: boolean; details: { field: string; problems: Array<{ field: string; message: string }> } } }

const SCRIPT = "return {deviceName: 'x', telemetry: {t: 1}};";

describe('API bodies: strict, with field-named problems', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
    await t.api.post('/converters', { name: 'my-decoder', type: 'uplink', script: SCRIPT });
  });
  after(async () => { await t?.close(); });

  const refused = async (path: string, body: unknown): Promise<ErrorBody['error']> => {
    const r = await t.api.call('POST', path, body);
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    const err = (r.body as ErrorBody).error;
    assert.deepEqual(Object.keys(err).sort(), ['code', 'details', 'message', 'retryable']);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err;
  };

  it('a converter test with script: 42 and a misspelled field is refused, naming both fields', async () => {
    const err = await refused('/converters/test', { script: 42, payload: '{}', payloadEncodig: 'text' });
    assert.deepEqual(err.details.problems, [
      { field: 'payloadEncodig', message: 'unknown property; did you mean payloadEncoding?' },
      { field: 'script', message: 'Expected string; got 42' },
    ]);
    assert.equal(err.details.field, 'payloadEncodig');
    const enumErr = await refused('/converters/test', { script: SCRIPT, payload: '{}', payloadEncoding: 'base46' });
    assert.deepEqual(enumErr.details.problems, [{ field: 'payloadEncoding', message: 'must be one of: "text", "base64", "hex"; got "base46"; did you mean "base64"?' }]);
  });

  it('a valid converter test still runs, with the schema defaults', async () => {
    const r = await t.api.call('POST', '/converters/test', { script: SCRIPT, payload: '{}' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual((r.body as { output: unknown }).output, { deviceName: 'x', telemetry: { t: 1 } });
  });

  it('converters and integrations answer a wrong type and an unknown field in the same shape', async () => {
    const conv = await refused('/converters', { name: 'c2', type: 'uplink', script: 42, scirpt: SCRIPT });
    assert.deepEqual(conv.details.problems, [
      { field: 'scirpt', message: 'unknown property; did you mean script?' },
      { field: 'script', message: 'Expected string; got 42' },
    ]);
    const integ = await refused('/integrations', { name: 'i2', type: 'mqtt', enabled: 'yes', uplinkConvertr: 'my-decoder', config: {} });
    assert.deepEqual(integ.details.problems.filter((p) => p.field !== 'uplinkConverter'), [
      { field: 'uplinkConvertr', message: 'unknown property; did you mean uplinkConverter?' },
      { field: 'enabled', message: 'Expected boolean; got "yes"' },
    ]);
    assert.equal((await t.api.call('GET', '/converters/c2')).status, 404);
  });

  it('an integration naming a misspelled converter: the field, the integration and the closest name', async () => {
    const r = await t.api.call('POST', '/integrations', { name: 'i3', type: 'mqtt', uplinkConverter: 'my-decodr', config: { host: '127.0.0.1', topicFilters: [{ filter: 'a/#', qos: 1 }] } });
    assert.equal(r.status, 404, r.text);
    const err = (r.body as ErrorBody).error;
    assert.equal(err.details.field, 'uplinkConverter');
    assert.deepEqual(err.details.problems, [{ field: 'uplinkConverter', message: 'converter "my-decodr" not found (integration "i3"); did you mean "my-decoder"?' }]);
  });

  it('tokens, downlinks and bulk dead-letter bodies are strict too: no coercion, unknown fields named', async () => {
    const token = await refused('/tokens', { name: 'grafana', role: 'root', rol: 'viewer' });
    assert.deepEqual(token.details.problems, [
      { field: 'rol', message: 'unknown property; did you mean role?' },
      { field: 'role', message: 'must be one of: "viewer", "admin"; got "root"' },
    ]);
    const downlink = await refused('/devices/x/downlink', { msgType: 42, metdata: {} });
    assert.deepEqual(downlink.details.problems.map((p) => p.field).sort(), ['metdata', 'msgType']);
    const bulk = await refused('/dead-letters/replay', { ids: ['a'], integraton: 'x' });
    assert.deepEqual(bulk.details.problems.map((p) => p.field), ['integraton']);
    assert.match(bulk.details.problems[0]?.message ?? '', /did you mean integration\?/);
    assert.equal((await t.api.get<unknown[]>('/tokens')).length, 1, 'no token was created');
  });
});

/**
 * POST /converters/test answers what the converter editor shows: the normalised records with
 * types and timestamps, console output, and errors with their line (JavaScript and JSONata).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './harness.ts';

interface TestAnswer {
  output?: unknown;
  records?: Array<{ name: string; kind: string; telemetry: Array<{ ts: number; key: string; value: { type: string; value: unknown } }> }>;
  logs: string[];
  error?: { code: string; message: string; stage: string; details: { line?: number; column?: number; position?: number } };
}

describe('converter test API', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t?.close(); });

  it('answers the records, the console output, and a JavaScript error with its line', async () => {
    const ok = await t.api.post<TestAnswer>('/converters/test', {
      script: 'var d = decodeToJson(payload);\nconsole.log("got", d.v);\nreturn { deviceName: d.name, telemetry: { ts: 1700000000000, values: { v: d.v } } };',
      payload: '{"name":"probe","v":2.5}',
    });
    assert.deepEqual(ok.logs, ['log: got 2.5']);
    assert.deepEqual(ok.records?.map((r) => [r.kind, r.name, r.telemetry]), [['DEVICE', 'probe', [{ ts: 1700000000000, key: 'v', value: { type: 'double', value: 2.5 } }]]]);
    const thrown = await t.api.post<TestAnswer>('/converters/test', { script: 'var d = decodeToJson(payload);\n\nreturn { deviceName: d.dev.name };', payload: '{}' });
    assert.equal(thrown.error?.code, 'CONVERTER_RUNTIME');
    assert.equal(thrown.error?.details.line, 3);
  });

  it('adds the line and column of a JSONata error\'s position', async () => {
    const r = await t.api.post<TestAnswer>('/converters/test', { language: 'jsonata', script: '{\n "deviceName": device,\n "telemetry": {"t": $nope(temp)}\n}', payload: '{"device":"a","temp":1}' });
    assert.equal(r.error?.code, 'CONVERTER_RUNTIME');
    assert.equal(typeof r.error?.details.position, 'number');
    assert.equal(r.error?.details.line, 3);
    assert.ok((r.error?.details.column ?? 0) > 1);
    const compile = await t.api.post<TestAnswer>('/converters/test', { language: 'jsonata', script: '{\n  "a": (1 +\n}', payload: '{}' });
    assert.equal(compile.error?.stage, 'compile');
    assert.equal(compile.error?.details.line, 3);
  });
});

/** TBEL lines that differ from JavaScript, and the shapes of export files that are read (or refused). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilesAsJavaScript, tbelDifferences } from '../../src/import/thingsboard/tbel.ts';
import { readExports } from '../../src/import/thingsboard/read-exports.ts';
import { importFiles } from './helpers.ts';

describe('TBEL differences', () => {
  it('the fixture TBEL decoder: every TBEL-only line, with the JavaScript to write', () => {
    const r = importFiles(['azure-iot-hub.json']);
    const report = r.tbel[0];
    assert.equal(report?.outcome, 'needs-port');
    assert.deepEqual(report?.lines.map((l) => l.line), [2, 3, 4, 6, 7, 13]);
    const why = (n: number): string => report?.lines.find((l) => l.line === n)?.why ?? '';
    assert.match(why(2), /empty map literal \[:\]; in JavaScript write \{\}/);
    assert.match(why(3), /foreach .* for \(const item of list\)/);
    assert.match(why(4), /obj\[key\] = v/);
    assert.match(why(6), /typed variable declaration.*parseHexToInt\(\) is a TBEL built-in.*parseInt\(hex, 16\)/);
    assert.match(why(7), /def function/);
    assert.match(why(13), /a\?\.b/);
    const script = importFiles(['azure-iot-hub.json']).config.converters[0]?.script ?? '';
    assert.match(script, /^\/\/ Imported from ThingsBoard: converter "IoT Hub TBEL uplink" was written in TBEL/);
    assert.match(script, /^\/\/ foreach \(r : data\.readings\) \{$/m);
    assert.match(script, /^throw new Error\("converter \\"IoT Hub TBEL uplink\\" is a ThingsBoard TBEL script not yet ported to JavaScript"\);$/m);
  });

  it('what JavaScript shares with TBEL is not reported; built-ins the script defines itself are not either', () => {
    const source = [
      'var data = decodeToJson(payload);',
      'var hex = bytesToHex(payload); // a comment with foreach (x : y)',
      'function raiseError(m) { throw new Error(m); }',
      'if (!data.id) raiseError("no id");',
      'var label = "for (a : b) [:] .?x";',
      'return {deviceName: data.id, telemetry: {"t": data.t}};',
    ].join('\n');
    assert.deepEqual(tbelDifferences(source), []);
    assert.equal(compilesAsJavaScript(source, ['payload', 'metadata']), true);
  });

  it('casts, Java methods, MVEL loops and regex matches are reported by line', () => {
    const lines = tbelDifferences('var n = (int) data.v;\nif (list.size() > 0) {}\nfor (item : list) {}\nif (s ~= "a.*") {}\nvar m = ["a": 1];\nraiseError("x");');
    assert.deepEqual(lines.map((l) => l.line), [1, 2, 3, 4, 5, 6]);
    assert.match(lines[4]?.why ?? '', /map literal \["key": value\]/);
    assert.match(lines[5]?.why ?? '', /throw new Error\(message\)/);
  });
});

describe('reading export files', () => {
  const conv = { id: { id: 'c1' }, name: 'up', type: 'UPLINK', configuration: { decoder: 'return {deviceName: "d"};' } };
  const integ = { id: { id: 'i1' }, name: 'q', type: 'AWS_SQS', routingKey: 'k', defaultConverterId: { id: 'c1' }, configuration: {} };

  it('a single entity, a list, a REST page, an export package and embedded converters', () => {
    const { entities, skipped } = readExports([
      { source: 'single', value: conv },
      { source: 'list', value: [integ] },
      { source: 'page', value: { data: [conv], totalPages: 1, hasNext: false } },
      { source: 'package', value: { integration: integ, converters: [conv] } },
      { source: 'embedded', value: { ...integ, uplinkConverter: conv } },
    ]);
    assert.deepEqual(skipped, []);
    assert.deepEqual(entities.map((e) => `${e.source}:${e.kind}`), ['single:converter', 'list:integration', 'page:converter', 'package:integration', 'package:converter', 'embedded:converter', 'embedded:integration']);
  });

  it('a file starting with a byte order mark is read; an integration is known by its type even with none of the usual fields', () => {
    const bare = { name: 'bare', type: 'PUB_SUB', configuration: { clientConfiguration: {} } };
    const { entities, skipped } = readExports([
      { source: 'bom.json', text: `\uFEFF${JSON.stringify(conv)}` },
      { source: 'bare.json', value: { integration: bare, converters: [] } },
    ]);
    assert.deepEqual(skipped, []);
    assert.deepEqual(entities.map((e) => `${e.source}:${e.kind}`), ['bom.json:converter', 'bare.json:integration']);
  });

  it('not JSON, not an export, an item without a shape: skipped, naming the file and the item, quoting nothing of the text', () => {
    const { entities, skipped } = readExports([
      { source: 'a.json', text: '{"secretAccessKey": "s3cr3tValue", ' },
      { source: 'b.json', text: '{"hello": "world"}' },
      { source: 'c.json', value: [conv, { name: 'x' }] },
    ]);
    assert.equal(entities.length, 1);
    assert.deepEqual(skipped.map((s) => [s.source, s.entity]), [['a.json', '(file)'], ['b.json', '(file)'], ['c.json', '"x" ([1])']]);
    assert.match(skipped[0]?.reason ?? '', /^not JSON \(syntax error/);
    assert.ok(!JSON.stringify(skipped).includes('s3cr3tValue'));
    assert.match(skipped[1]?.reason ?? '', /holds no ThingsBoard integration or converter/);
  });

  it('an integration whose uplink converter is missing is skipped with what to do; an unknown type names the types imported', () => {
    const r = importFiles(['aws-sqs.json', 'http-integration.json']);
    assert.deepEqual(r.skipped.map((s) => s.entity).sort(), ['integration "HTTP sensors"']);
    const alone = importFiles(['aws-sqs.json']);
    assert.match(alone.skipped[0]?.reason ?? '', /uplink converter \(defaultConverterId cafe0000-0000-4000-8000-000000000004\) is not among the exports: export that converter too/);
    assert.equal(alone.config.integrations.length, 0);
  });
});

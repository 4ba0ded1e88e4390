import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createUplinkRunner } from '../../src/converters/index.ts';
import type { UplinkConverterRunner } from '../../src/converters/index.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import { codeOf, converter, errorOf, input, RECEIVED_AT, recordsOf, SANDBOXES } from './helpers.ts';

const MAPPING = `{
  "deviceName": sensor.id,
  "deviceType": "thermometer",
  "attributes": { "topic": $metadata.topic, "firmware": fw },
  "telemetry": [
    { "temperature": readings[0].t },
    { "ts": readings[1].at, "values": { "temperature": readings[1].t } }
  ]
}`;

for (const sandbox of SANDBOXES) {
  describe(`JSONata uplink converters (${sandbox})`, () => {
    const open: UplinkConverterRunner[] = [];
    const make = async (expr: string, timeoutMs = 1000): Promise<UplinkConverterRunner> => {
      const r = await createUplinkRunner(converter(expr, { language: 'jsonata', limits: { timeoutMs } }), { sandbox, maxConsecutiveFailures: 0 });
      open.push(r);
      return r;
    };
    after(() => { for (const r of open) r.dispose(); });

    test('maps the JSON payload and $metadata into a Decoder-shaped result', async () => {
      const r = await make(MAPPING);
      const [c] = await r.convert([input(
        { sensor: { id: 'th-1' }, fw: '1.2', readings: [{ t: 21.5 }, { t: 22, at: 1000 }] },
        { topic: 'sensors/th-1' },
      )]);
      const [rec] = recordsOf(c);
      assert.deepEqual([rec?.kind, rec?.name, rec?.type], ['DEVICE', 'th-1', 'thermometer']);
      assert.deepEqual(rec?.attributes.map((a) => [a.key, a.value.type, a.value.value]), [['topic', 'string', 'sensors/th-1'], ['firmware', 'double', 1.2]]);
      assert.deepEqual(rec?.telemetry.map((p) => [p.ts, p.key, p.value.value]), [[RECEIVED_AT, 'temperature', 21.5], [1000, 'temperature', 22]]);
    });

    test('an expression can return an array of results', async () => {
      const r = await make('devices.{ "deviceName": name, "telemetry": { "v": value } }');
      const [c] = await r.convert([input({ devices: [{ name: 'a', value: 1 }, { name: 'b', value: 2 }] })]);
      assert.deepEqual(recordsOf(c).map((x) => x.name), ['a', 'b']);
    });

    test('an unparseable payload is PAYLOAD_INVALID with the parse error', async () => {
      const e = errorOf((await (await make(MAPPING)).convert([input('{"sensor": ')]))[0]);
      assert.equal(e.code, 'PAYLOAD_INVALID');
      assert.match(e.message, /^payload is not valid JSON: \S/);
    });

    test('an evaluation error is CONVERTER_RUNTIME with the JSONata code and position', async () => {
      const [c] = await (await make('{ "deviceName": name & "", "telemetry": { "t": name + 1 } }')).convert([input({ name: 'x' })]);
      assert.ok(c && !c.ok);
      assert.equal(c.error.code, 'CONVERTER_RUNTIME');
      assert.match(c.error.message, /^JSONata error T2001 at position \d+: The left side of the "\+" operator must evaluate to a number$/);
      assert.equal(c.error.details.jsonataCode, 'T2001');
    });

    test('no match is a CONVERTER_OUTPUT error; a mapping without deviceName names the field', async () => {
      assert.match(errorOf((await (await make('missing.path')).convert([input({})]))[0]).message, /produced no result/);
      assert.equal(errorOf((await (await make('{ "telemetry": { "t": 1 } }')).convert([input({})]))[0]).message,
        'result: deviceName is missing (return {deviceName, telemetry})');
    });

    test('a syntax error rejects with CONVERTER_COMPILE and its position', async () => {
      await assert.rejects(make('{ "deviceName": }'), (err: unknown) => {
        assert.ok(err instanceof CloudbridgeError);
        assert.equal(err.code, 'CONVERTER_COMPILE');
        assert.match(err.message, /^JSONata error S0211 at position 17: /);
        assert.equal(err.details.position, 17);
        return true;
      });
    });

    test('an endless evaluation is cut off with CONVERTER_TIMEOUT, neighbours unharmed', async () => {
      const r = await make('n = 1 ? $reduce([1..1000000], function($a, $b) { $a + $b }) : { "deviceName": "d" & n }', 200);
      const out = await r.convert([input({ n: 0 }), input({ n: 1 }), input({ n: 2 })]);
      assert.deepEqual(out.map(codeOf), ['ok', 'CONVERTER_TIMEOUT', 'ok']);
      assert.equal(codeOf((await r.convert([input({ n: 3 })]))[0]), 'ok');
    });
  });
}

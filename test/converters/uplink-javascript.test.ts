import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUplinkRunner, sandboxKind } from '../../src/converters/index.ts';
import type { UplinkConverterRunner } from '../../src/converters/index.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import { bytes, codeOf, converter, errorOf, input, RECEIVED_AT, recordsOf, SANDBOXES } from './helpers.ts';

/** A decoder written the ThingsBoard way: the function body, with its own helper functions. */
const THINGSBOARD_STYLE = `
// Decode an uplink message from a buffer
var data = decodeToJson(payload);
var result = {
  deviceName: data.deviceName,
  deviceType: data.deviceType,
  attributes: {
    integrationName: metadata['integrationName'],
    serialNumber: data.serialNumber
  },
  telemetry: {
    temperature: data.temperature
  }
};

function decodeToString(payload) {
  return String.fromCharCode.apply(String, payload);
}

function decodeToJson(payload) {
  var str = decodeToString(payload);
  return JSON.parse(str);
}

return result;
`;

const TOP_LEVEL_DECODER = `
function Decoder(payload, metadata) {
  var data = decodeToJson(payload);
  return { deviceName: data.name, telemetry: { t: data.t, topic: metadata.topic } };
}
`;

for (const sandbox of SANDBOXES) {
  describe(`uplink JavaScript converters (${sandbox})`, () => {
    const open: UplinkConverterRunner[] = [];
    const make = async (script: string): Promise<UplinkConverterRunner> => {
      const r = await createUplinkRunner(converter(script), { sandbox, maxConsecutiveFailures: 0 });
      open.push(r);
      return r;
    };
    after(() => { for (const r of open) r.dispose(); });

    test('an unchanged ThingsBoard-style decoder (body with its own helpers) works', async () => {
      const r = await make(THINGSBOARD_STYLE);
      const [c] = await r.convert([input(
        { deviceName: 'Thermometer', deviceType: 'thermostat', serialNumber: 'SN-12345', temperature: 25.5 },
        { integrationName: 'Test integration' },
      )]);
      assert.deepEqual(recordsOf(c), [{
        kind: 'DEVICE', name: 'Thermometer', type: 'thermostat',
        attributes: [
          { key: 'integrationName', value: { type: 'string', value: 'Test integration' } },
          { key: 'serialNumber', value: { type: 'string', value: 'SN-12345' } },
        ],
        telemetry: [{ ts: RECEIVED_AT, key: 'temperature', value: { type: 'double', value: 25.5 }, implicitTs: true }],
      }]);
      assert.ok(c?.ok);
      assert.deepEqual(c.raw, {
        deviceName: 'Thermometer', deviceType: 'thermostat',
        attributes: { integrationName: 'Test integration', serialNumber: 'SN-12345' }, telemetry: { temperature: 25.5 },
      });
    });

    test('a script that declares function Decoder at top level works', async () => {
      const r = await make(TOP_LEVEL_DECODER);
      const [c] = await r.convert([input({ name: 'd1', t: 7 }, { topic: 'sensors/d1' })]);
      assert.deepEqual(recordsOf(c)[0]?.telemetry.map((p) => [p.key, p.value.value]), [['t', 7], ['topic', 'sensors/d1']]);
    });

    test('the built-in decodeToString decodes UTF-8 and payload is an array of numbers', async () => {
      const r = await make(`
        return { deviceName: decodeToString(payload), attributes: {
          isArray: Array.isArray(payload), first: payload[0], length: payload.length, hex: bytesToHex(payload.slice(0, 2)) } };`);
      const [c] = await r.convert([{ payload: bytes('Zürich ✓'), metadata: {}, receivedAt: RECEIVED_AT }]);
      const [rec] = recordsOf(c);
      assert.equal(rec?.name, 'Zürich ✓');
      assert.deepEqual(Object.fromEntries(rec?.attributes.map((a) => [a.key, a.value.value]) ?? []),
        { isArray: true, first: 90, length: 11, hex: '5ac3' });
    });

    test('an array result yields several records, devices and assets', async () => {
      const r = await make(`
        var d = decodeToJson(payload);
        return [
          { deviceName: d.a, telemetry: { v: 1 } },
          { assetName: 'Building 7', assetType: 'building', assetLabel: 'B7', attributes: { floors: 3 } },
        ];`);
      const [c] = await r.convert([input({ a: 'dev-a' })]);
      const recs = recordsOf(c);
      assert.equal(recs.length, 2);
      assert.deepEqual([recs[0]?.kind, recs[0]?.name, recs[0]?.type], ['DEVICE', 'dev-a', 'default']);
      assert.deepEqual([recs[1]?.kind, recs[1]?.name, recs[1]?.type, recs[1]?.label], ['ASSET', 'Building 7', 'building', 'B7']);
    });

    test('every telemetry form and value type is typed as ThingsBoard does', async () => {
      const r = await make(`return { deviceName: 'd', telemetry: [
        { b: true, l: 42, d: 21.5, s: 'on', n: '17', f: '2.50', j: { x: [1, 2] }, a: [1], nul: null },
        { ts: 1000, values: { t: 1 } },
        { ts: 2000 },
      ] };`);
      const [c] = await r.convert([input({})]);
      const points = recordsOf(c)[0]?.telemetry.map((p) => [p.ts, p.key, p.value.type, p.value.value]);
      assert.deepEqual(points, [
        [RECEIVED_AT, 'b', 'bool', true], [RECEIVED_AT, 'l', 'long', 42], [RECEIVED_AT, 'd', 'double', 21.5],
        [RECEIVED_AT, 's', 'string', 'on'], [RECEIVED_AT, 'n', 'long', 17], [RECEIVED_AT, 'f', 'double', 2.5],
        [RECEIVED_AT, 'j', 'json', { x: [1, 2] }], [RECEIVED_AT, 'a', 'json', [1]],
        [1000, 't', 'long', 1],
        [RECEIVED_AT, 'ts', 'long', 2000],
      ]);
    });

    test('a malformed JSON payload fails with PAYLOAD_INVALID carrying the parse error', async () => {
      for (const script of [THINGSBOARD_STYLE, 'return { deviceName: decodeToJson(payload).deviceName };']) {
        const r = await make(script);
        const e = errorOf((await r.convert([input('{"deviceName": "x",')]))[0]);
        assert.equal(e.code, 'PAYLOAD_INVALID');
        assert.equal(e.stage, 'convert');
        assert.match(e.message, /^payload is not valid JSON: \S/);
      }
    });

    test('output without deviceName fails with CONVERTER_OUTPUT naming the field and index', async () => {
      const r = await make(`return [{ deviceName: 'ok' }, { telemetry: { t: 1 } }];`);
      const e = errorOf((await r.convert([input({})]))[0]);
      assert.equal(e.code, 'CONVERTER_OUTPUT');
      assert.equal(e.stage, 'validate');
      assert.equal(e.message, 'result[1]: deviceName is missing (return {deviceName, telemetry})');
    });

    test('a script error reports CONVERTER_RUNTIME with its line', async () => {
      const r = await make('var d = decodeToJson(payload);\nreturn { deviceName: d.missing.name };');
      const e = errorOf((await r.convert([input({})]))[0]);
      assert.equal(e.code, 'CONVERTER_RUNTIME');
      assert.match(e.message, /^TypeError: .*\(line 2, column \d+\)$/);
    });

    test('returning nothing, a Promise or a non-object is a CONVERTER_OUTPUT error', async () => {
      const cases: Array<[string, RegExp]> = [
        ['var x = 1;', /returned nothing/],
        ['return Promise.resolve({ deviceName: "x" });', /returned a Promise/],
        ['return 42;', /expected an object or an array of objects, got a number/],
      ];
      for (const [script, message] of cases) {
        const e = errorOf((await (await make(script)).convert([input({})]))[0]);
        assert.equal(e.code, 'CONVERTER_OUTPUT');
        assert.match(e.message, message);
      }
    });

    test('a syntax error rejects with CONVERTER_COMPILE and its line', async () => {
      await assert.rejects(createUplinkRunner(converter('var a = 1;\nvar b = ;\nreturn a;'), { sandbox }), (err: unknown) => {
        assert.ok(err instanceof CloudbridgeError);
        assert.equal(err.code, 'CONVERTER_COMPILE');
        assert.match(err.message, /\(line 2, column \d+\)$/);
        assert.equal(err.details.line, 2);
        return true;
      });
    });

    test('one throwing message in a batch of 100 fails alone', async () => {
      const r = await make(`var d = decodeToJson(payload);
        if (d.i === 37) throw new Error('bad message ' + d.i);
        return { deviceName: 'dev-' + d.i, telemetry: { i: d.i } };`);
      const out = await r.convert(Array.from({ length: 100 }, (_, i) => input({ i })));
      assert.equal(out.length, 100);
      out.forEach((c, i) => {
        if (i === 37) assert.match(errorOf(c).message, /^Error: bad message 37 \(line 2, column \d+\)$/);
        else assert.equal(recordsOf(c)[0]?.name, `dev-${i}`);
      });
    });

    test('metadata reaches the script as a string map', async () => {
      const r = await make('return { deviceName: metadata.deviceId, attributes: { keys: Object.keys(metadata).join(",") } };');
      const [c] = await r.convert([input({}, { deviceId: 'sensor-9', topic: 't' })]);
      assert.equal(recordsOf(c)[0]?.name, 'sensor-9');
      assert.equal(recordsOf(c)[0]?.attributes[0]?.value.value, 'deviceId,topic');
    });

    test('Infinity and NaN in a result are refused naming the key, not skipped like a null', async () => {
      const r = await make(`var d = decodeToJson(payload);
        var v = d.v === 'inf' ? 1 / 0 : d.v === '-inf' ? -1 / 0 : d.v === 'nan' ? 0 / 0 : d.v;
        return { deviceName: 'd', telemetry: { v: v, gone: null }, attributes: d.nested ? { j: { list: [1, 0 / 0] } } : {} };`);
      const out = await r.convert([input({ v: 'inf' }), input({ v: '-inf' }), input({ v: 'nan' }), input({ v: 2 }), input({ v: 2, nested: true })]);
      const refused = (name: string, field = 'result.telemetry.v') => ({
        code: 'CONVERTER_OUTPUT', stage: 'validate', message: `${field}: is ${name}; only finite numbers can be stored (the value is refused, not skipped)`,
      });
      assert.deepEqual(errorOf(out[0]), refused('Infinity'));
      assert.deepEqual(errorOf(out[1]), refused('-Infinity'));
      assert.deepEqual(errorOf(out[2]), refused('NaN'));
      assert.deepEqual(recordsOf(out[3])[0]?.telemetry.map((p) => [p.key, p.value.value]), [['v', 2]], 'a null is still skipped');
      assert.deepEqual(errorOf(out[4]), refused('NaN', 'result.attributes.j.list[1]'));
      assert.ok(out[0] && !out[0].ok);
      assert.deepEqual(out[0].raw, { deviceName: 'd', telemetry: { v: '\u0000Infinity', gone: null }, attributes: {} }, 'the raw output shows the marker');
    });

    test('points without ts get the source timestamp when the message has one, else the receive time', async () => {
      const r = await make("return { deviceName: 'd', telemetry: [{ t: 1 }, { ts: 1000, values: { u: 2 } }] };");
      const out = await r.convert([{ ...input({}), sourceTimestamp: RECEIVED_AT - 5000 }, input({})]);
      assert.deepEqual(recordsOf(out[0])[0]?.telemetry.map((p) => [p.key, p.ts, p.implicitTs]), [['t', RECEIVED_AT - 5000, true], ['u', 1000, undefined]]);
      assert.deepEqual(recordsOf(out[1])[0]?.telemetry.map((p) => [p.key, p.ts, p.implicitTs]), [['t', RECEIVED_AT, true], ['u', 1000, undefined]]);
    });

    test('an empty batch converts to nothing', async () => {
      assert.deepEqual(await (await make('return {deviceName: "x"};')).convert([]), []);
    });
  });
}

describe('sandbox selection', () => {
  let saved: string | undefined;
  before(() => { saved = process.env.CLOUDBRIDGE_SANDBOX; });
  after(() => {
    if (saved === undefined) delete process.env.CLOUDBRIDGE_SANDBOX;
    else process.env.CLOUDBRIDGE_SANDBOX = saved;
  });

  test('CLOUDBRIDGE_SANDBOX=quickjs selects the QuickJS fallback', async () => {
    process.env.CLOUDBRIDGE_SANDBOX = 'quickjs';
    assert.equal(sandboxKind(), 'quickjs');
    const r = await createUplinkRunner(converter('return { deviceName: "q" };'));
    try {
      assert.equal(codeOf((await r.convert([input({})]))[0]), 'ok');
    } finally {
      r.dispose();
    }
    delete process.env.CLOUDBRIDGE_SANDBOX;
    assert.equal(sandboxKind(), 'isolated-vm');
  });

  test('an unknown CLOUDBRIDGE_SANDBOX value is a config error', () => {
    process.env.CLOUDBRIDGE_SANDBOX = 'node-vm';
    assert.throws(() => sandboxKind(), /CLOUDBRIDGE_SANDBOX must be "isolated-vm" or "quickjs"/);
    delete process.env.CLOUDBRIDGE_SANDBOX;
  });
});

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createUplinkRunner } from '../../src/converters/index.ts';
import type { UplinkConverterRunner, UplinkInput } from '../../src/converters/index.ts';
import { codeOf, converter, RECEIVED_AT, recordsOf, SANDBOXES } from './helpers.ts';

/** Returns the expressions' values as attributes, to compare what the helpers produce. */
const PROBE = `var out = {};
var cases = JSON.parse(metadata.cases);
for (var k in cases) { try { out[k] = JSON.stringify(eval(cases[k])); } catch (e) { out[k] = JSON.stringify('threw ' + e.name + ': ' + e.message); } }
return { deviceName: 'probe', attributes: out };`;

for (const sandbox of SANDBOXES) {
  describe(`built-in helpers (${sandbox})`, () => {
    const open: UplinkConverterRunner[] = [];
    after(() => { for (const r of open) r.dispose(); });
    const make = async (script: string, memoryMb = 64): Promise<UplinkConverterRunner> => {
      const r = await createUplinkRunner(converter(script, { limits: { memoryMb } }), { sandbox, maxConsecutiveFailures: 0 });
      open.push(r);
      return r;
    };
    const probe = async (payload: Uint8Array, cases: Record<string, string>): Promise<Record<string, unknown>> => {
      const [c] = await (await make(PROBE)).convert([{ payload, metadata: { cases: JSON.stringify(cases) }, receivedAt: RECEIVED_AT }]);
      const attrs = recordsOf(c)[0]?.attributes ?? [];
      return Object.fromEntries(attrs.map((a) => [a.key, typeof a.value.value === 'string' ? JSON.parse(a.value.value) as unknown : a.value.value]));
    };

    test('decodeToString decodes UTF-8, replacing invalid sequences', async () => {
      const payload = new Uint8Array([...new TextEncoder().encode('añ€😀'), 0xff, 0x41, 0xc3]);
      assert.deepEqual(await probe(payload, {
        text: 'decodeToString(payload)',
        fromString: 'decodeToString("as is")',
        json: 'decodeToJson("[1,2]")',
      }), { text: 'añ€😀\ufffdA\ufffd', fromString: 'as is', json: [1, 2] });
    });

    test('byte helpers round-trip', async () => {
      assert.deepEqual(await probe(new Uint8Array([0, 1, 254, 255]), {
        b64: 'bytesToBase64(payload)',
        back: 'base64ToBytes(bytesToBase64(payload))',
        hex: 'bytesToHex(payload)',
        fromHex: 'hexToBytes("0x00ff10")',
        utf8: 'stringToBytes("é😀")',
        btoa: 'btoa("hi")',
        atob: 'atob("aGk=")',
        badHex: 'hexToBytes("xyz")',
      }), {
        b64: 'AAH+/w==', back: [0, 1, 254, 255], hex: '0001feff', fromHex: [0, 255, 16],
        utf8: [0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80], btoa: 'aGk=', atob: 'hi', badHex: 'threw TypeError: hexToBytes: not a hex string',
      });
    });

    test('large payloads decode, and large batches are split to fit the memory limit', async () => {
      const r = await make('var d = decodeToJson(payload); return { deviceName: "big", telemetry: { size: d.blob.length } };', 8);
      const big = (n: number): UplinkInput => ({ payload: new TextEncoder().encode(JSON.stringify({ blob: 'x'.repeat(n) })), metadata: {}, receivedAt: RECEIVED_AT });
      const out = await r.convert(Array.from({ length: 12 }, () => big(100_000)));
      assert.deepEqual(out.map(codeOf), Array.from({ length: 12 }, () => 'ok'));
      assert.equal(recordsOf(out[11])[0]?.telemetry[0]?.value.value, 100_000);
    });
  });
}

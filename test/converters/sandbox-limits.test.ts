import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { createUplinkRunner } from '../../src/converters/index.ts';
import type { UplinkConverterRunner } from '../../src/converters/index.ts';
import { codeOf, converter, errorOf, input, recordsOf, SANDBOXES } from './helpers.ts';

const LIMITS = { timeoutMs: 300, memoryMb: 16 };
/** Allocates 1 MB strings until the limit; quick to hit the limit in both sandboxes. */
const MEMORY_BOMB = 'var hoard = []; var s = "x".repeat(1 << 20); while (true) hoard.push(s + hoard.length);';

/** Runs `expr` in the sandbox and returns what the script saw, as a string (or "threw Name"). */
function observe(expr: string): string {
  return `var seen;
    try { seen = String(${expr}); } catch (e) { seen = 'threw ' + (e && e.name); }
    return { deviceName: 'probe', attributes: { seen: seen } };`;
}

for (const sandbox of SANDBOXES) {
  describe(`sandbox limits and isolation (${sandbox})`, () => {
    const open: UplinkConverterRunner[] = [];
    const make = async (script: string, limits: typeof LIMITS = LIMITS): Promise<UplinkConverterRunner> => {
      const r = await createUplinkRunner(converter(script, { limits }), { sandbox, maxConsecutiveFailures: 0 });
      open.push(r);
      return r;
    };
    after(() => { for (const r of open) r.dispose(); });

    const seen = async (expr: string): Promise<unknown> => {
      const [c] = await (await make(observe(expr))).convert([input({})]);
      return recordsOf(c)[0]?.attributes[0]?.value.value;
    };

    test('an infinite loop fails with CONVERTER_TIMEOUT and the next call works', async () => {
      const r = await make('if (metadata.loop) { while (true) {} } return { deviceName: "d" };');
      const e = errorOf((await r.convert([input({}, { loop: '1' })]))[0]);
      assert.equal(e.code, 'CONVERTER_TIMEOUT');
      assert.equal(e.stage, 'convert');
      assert.match(e.message, /did not finish within 300 ms/);
      assert.equal(codeOf((await r.convert([input({})]))[0]), 'ok');
    });

    test('an infinite loop in a Promise job is cut off too', async () => {
      const r = await make('if (metadata.loop) { Promise.resolve().then(function () { while (true) {} }); } return { deviceName: "d" };');
      assert.equal(codeOf((await r.convert([input({}, { loop: '1' })]))[0]), 'CONVERTER_TIMEOUT');
      assert.equal(codeOf((await r.convert([input({})]))[0]), 'ok');
    });

    test('a memory bomb fails with CONVERTER_MEMORY and the next call works', async () => {
      // A generous time limit: on a loaded machine filling 16 MB can take longer than LIMITS.timeoutMs.
      const r = await make(`if (metadata.bomb) { ${MEMORY_BOMB} } return { deviceName: "d" };`, { ...LIMITS, timeoutMs: 20_000 });
      const e = errorOf((await r.convert([input({}, { bomb: '1' })]))[0]);
      assert.equal(e.code, 'CONVERTER_MEMORY');
      assert.match(e.message, /memory limit of 16 MB/);
      assert.equal(codeOf((await r.convert([input({})]))[0]), 'ok');
    });

    test('a timeout in the middle of a batch of 100 fails only that message', async () => {
      const r = await make('var d = decodeToJson(payload); if (d.i === 50) { while (true) {} } return { deviceName: "dev-" + d.i };');
      const out = await r.convert(Array.from({ length: 100 }, (_, i) => input({ i })));
      assert.equal(out.length, 100);
      assert.deepEqual(out.map((c, i) => [i, codeOf(c)]).filter(([, code]) => code !== 'ok'), [[50, 'CONVERTER_TIMEOUT']]);
      assert.equal(recordsOf(out[99])[0]?.name, 'dev-99');
    });

    test('a memory bomb in the middle of a batch fails only that message', async () => {
      const r = await make(`var d = decodeToJson(payload); if (d.i === 3) { ${MEMORY_BOMB} } return { deviceName: "dev-" + d.i };`, { ...LIMITS, timeoutMs: 20_000 });
      const out = await r.convert(Array.from({ length: 8 }, (_, i) => input({ i })));
      assert.deepEqual(out.map(codeOf), ['ok', 'ok', 'ok', 'CONVERTER_MEMORY', 'ok', 'ok', 'ok', 'ok']);
    });

    test('no host objects: process, require, module, Buffer, timers, fetch, WebAssembly and Atomics are absent', async () => {
      for (const name of ['process', 'require', 'module', 'Buffer', 'setTimeout', 'setInterval', 'setImmediate', 'fetch', 'WebAssembly', 'SharedArrayBuffer', 'Atomics']) {
        assert.equal(await seen(`typeof ${name}`), 'undefined', name);
      }
    });

    test('constructor-chain escapes reach nothing', async () => {
      assert.equal(await seen("this.constructor.constructor('return process')()"), 'threw ReferenceError');
      assert.equal(await seen("metadata.constructor.constructor('return process')()"), 'threw ReferenceError');
      assert.equal(await seen("payload.constructor.constructor('return typeof require')()"), 'undefined');
      assert.equal(await seen("(function () { return this; })().constructor.constructor('return typeof process')()"), 'undefined');
    });

    test('the script cannot touch the host global object', async () => {
      await seen("this.constructor.constructor('return this')().cloudbridgeEscape = 'yes'");
      assert.equal((globalThis as Record<string, unknown>).cloudbridgeEscape, undefined);
    });

    test('dynamic import() loads no module', async () => {
      const r = await make(`
        if (metadata.step === 'start') {
          globalThis.importResult = 'pending';
          try {
            import('node:fs').then(function (m) { globalThis.importResult = 'loaded ' + typeof m.readFileSync; },
              function (e) { globalThis.importResult = 'rejected'; });
          } catch (e) { globalThis.importResult = 'threw ' + e.name; }
        }
        return { deviceName: 'probe', attributes: { seen: String(globalThis.importResult) } };`);
      await r.convert([input({}, { step: 'start' })]);
      const [c] = await r.convert([input({}, { step: 'check' })]);
      const result = recordsOf(c)[0]?.attributes[0]?.value.value;
      assert.ok(result === 'rejected' || String(result).startsWith('threw '), `import() result: ${String(result)}`);
    });

    test('a setTimeout meant to outlive the call cannot be scheduled', async () => {
      const r = await make(`
        if (metadata.step === 'start') {
          try { setTimeout(function () { globalThis.fired = true; }, 1); globalThis.scheduled = 'yes'; }
          catch (e) { globalThis.scheduled = 'threw ' + e.name; }
        }
        return { deviceName: 'probe', attributes: { scheduled: String(globalThis.scheduled), fired: typeof globalThis.fired } };`);
      await r.convert([input({}, { step: 'start' })]);
      await sleep(30);
      const attrs = recordsOf((await r.convert([input({}, { step: 'check' })]))[0])[0]?.attributes;
      assert.deepEqual(attrs?.map((a) => [a.key, a.value.value]), [['scheduled', 'threw ReferenceError'], ['fired', 'undefined']]);
    });

    test('console output is captured, not printed', async () => {
      assert.equal(await seen("(console.log('hello from the sandbox'), 'logged')"), 'logged');
    });
  });
}

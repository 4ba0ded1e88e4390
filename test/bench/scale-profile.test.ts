/**
 * The CPU profile summary of the scale-out bench (bench/scale-profile.ts): self time by area and
 * by function, idle apart, and only inside the drain's window when one is given.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { areaOf, summarise } from '../../bench/scale-profile.ts';

const frame = (functionName: string, url: string, lineNumber = 0): { functionName: string; url: string; lineNumber: number } => ({ functionName, url, lineNumber });

/** Samples 1 ms apart from t = 1000 µs: pg, pg, src/store/postgres, idle, GC. */
const profile = {
  startTime: 0,
  endTime: 6000,
  nodes: [
    { id: 1, callFrame: frame('prepareValue', 'file:///app/node_modules/pg/lib/utils.js', 50) },
    { id: 2, callFrame: frame('commitUplinks', 'file:///app/src/store/postgres/ingest.ts', 58) },
    { id: 3, callFrame: frame('(idle)', '') },
    { id: 4, callFrame: frame('(garbage collector)', '') },
  ],
  samples: [1, 1, 2, 3, 4],
  timeDeltas: [1000, 1000, 1000, 1000, 1000],
};

describe('CPU profile summary', () => {
  it('names the area of a script: a package, a directory of src/, Node itself, V8 pseudo-frames', () => {
    assert.equal(areaOf('file:///app/node_modules/@smithy/core/dist-cjs/index.js', 'f'), '@smithy/core');
    assert.equal(areaOf('file:///app/node_modules/pg/lib/utils.js', 'f'), 'pg');
    assert.equal(areaOf('file:///app/src/store/postgres/ingest.ts', 'f'), 'src/store/postgres');
    assert.equal(areaOf('file:///app/src/store/index.ts', 'f'), 'src/store');
    assert.equal(areaOf('node:internal/streams/writable', 'f'), 'node:internal');
    assert.equal(areaOf('', '(garbage collector)'), '(garbage collector)');
    assert.equal(areaOf('', 'writev'), '(native)');
  });

  it('adds self time by area and function, idle apart', () => {
    const s = summarise([profile], 10);
    assert.equal(s.totalMs, 4);
    assert.equal(s.idleMs, 1);
    assert.deepEqual(s.areas, [{ area: 'pg', ms: 2 }, { area: 'src/store/postgres', ms: 1 }, { area: '(garbage collector)', ms: 1 }]);
    assert.deepEqual(s.functions[0], { name: 'prepareValue node_modules/pg/lib/utils.js:51', ms: 2 });
  });

  it('counts only the samples inside the window', () => {
    const s = summarise([profile], 10, { fromMicros: 2500, toMicros: 5500 });
    assert.deepEqual(s.areas, [{ area: 'src/store/postgres', ms: 1 }, { area: '(garbage collector)', ms: 1 }]);
    assert.equal(s.idleMs, 1);
  });
});

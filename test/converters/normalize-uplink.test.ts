import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { castNumericString, CONVERTER_OUTPUT_LIMITS, normalizeUplink, toKvValue } from '../../src/converters/index.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import { outputError } from './helpers.ts';

const AT = 5000;

describe('uplink output validation', () => {
  test('a device record gets defaults and typed values', () => {
    assert.deepEqual(normalizeUplink({ deviceName: 'd1', customerName: 'C', groupName: 'G', deviceLabel: 'Kitchen', integrationName: 'ignored' }, AT), [{
      kind: 'DEVICE', name: 'd1', type: 'default', label: 'Kitchen', customerName: 'C', groupName: 'G', attributes: [], telemetry: [],
    }]);
  });

  test('deviceName and assetName are exclusive and one is required', () => {
    assert.equal(outputError({ deviceName: 'a', assetName: 'b', assetType: 't' }), 'result: has both deviceName and assetName; return one of them');
    assert.equal(outputError({ telemetry: { t: 1 } }), 'result: deviceName is missing (return {deviceName, telemetry})');
    assert.equal(outputError([{ deviceName: 'a' }, { telemetry: {} }]), 'result[1]: deviceName is missing (return {deviceName, telemetry})');
    assert.equal(outputError({ deviceName: '  ' }), 'result: deviceName is empty (return {deviceName, telemetry})');
    assert.equal(outputError({ deviceName: { x: 1 } }), 'result.deviceName: must be a string, got an object');
  });

  test('an asset needs assetType', () => {
    assert.equal(outputError({ assetName: 'b' }), 'result: assetType is required for an asset (return {assetName, assetType, telemetry})');
    assert.deepEqual(normalizeUplink({ assetName: 'b', assetType: 'building' }, AT)[0]?.kind, 'ASSET');
  });

  test('attributes must be an object, telemetry an object or array of objects', () => {
    assert.equal(outputError({ deviceName: 'd', attributes: [1, 2] }), 'result.attributes: must be an object, got an array');
    assert.equal(outputError({ deviceName: 'd', telemetry: 5 }), 'result.telemetry: must be an object ({key: value} or {ts, values}), got a number');
    assert.equal(outputError({ deviceName: 'd', telemetry: [{ t: 1 }, 'x'] }), 'result.telemetry[1]: must be an object ({key: value} or {ts, values}), got a string');
    assert.equal(outputError({ deviceName: 'd', telemetry: { ts: 1, values: 3 } }), 'result.telemetry.values: must be an object, got a number');
    assert.equal(outputError({ deviceName: 'd', telemetry: { ts: 'soon', values: {} } }), 'result.telemetry.ts: must be epoch milliseconds, got "soon"');
  });

  test('telemetry forms: plain values, {ts, values}, arrays; ts without values is a plain value', () => {
    const [rec] = normalizeUplink({ deviceName: 'd', telemetry: [{ a: 1 }, { ts: '1000', values: { b: 2 } }, { ts: 7 }, { values: { c: 3 } }] }, AT);
    assert.deepEqual(rec?.telemetry.map((p) => [p.ts, p.key, p.value.value]), [
      [AT, 'a', 1], [1000, 'b', 2], [AT, 'ts', 7], [AT, 'values', { c: 3 }],
    ]);
  });

  test('keys must be non-empty and at most 255 characters', () => {
    assert.equal(outputError({ deviceName: 'd', telemetry: { '': 1 } }), 'result.telemetry: keys must be non-empty strings');
    assert.match(outputError({ deviceName: 'd', attributes: { ['k'.repeat(256)]: 1 } }), /^result\.attributes: key "k+\.\.\." is longer than 255 characters$/);
  });

  test('absurd sizes are rejected with a clear message', () => {
    const many = Array.from({ length: CONVERTER_OUTPUT_LIMITS.maxRecordsPerMessage + 1 }, () => ({ deviceName: 'd' }));
    assert.equal(outputError(many), 'result: 10001 records in one message; the limit is 10000');
    const values = Object.fromEntries(Array.from({ length: CONVERTER_OUTPUT_LIMITS.maxValuesPerMessage + 1 }, (_, i) => [`k${i}`, i]));
    assert.match(outputError({ deviceName: 'd', telemetry: values }), /too many values in one message \(the limit is 100000\)/);
  });

  test('non-object results are rejected', () => {
    assert.equal(outputError('x'), 'result: expected an object or an array of objects, got a string (return {deviceName, telemetry})');
    assert.equal(outputError([null]), 'result[0]: expected an object, got null (return {deviceName, telemetry})');
    assert.deepEqual(normalizeUplink([], AT), []);
  });
});

describe('value typing', () => {
  test('JSON values map to ThingsBoard kv types; null is skipped', () => {
    assert.deepEqual(toKvValue(true), { type: 'bool', value: true });
    assert.deepEqual(toKvValue(42), { type: 'long', value: 42 });
    assert.deepEqual(toKvValue(-0), { type: 'long', value: 0 });
    assert.deepEqual(toKvValue(4.25), { type: 'double', value: 4.25 });
    assert.deepEqual(toKvValue(2 ** 60), { type: 'double', value: 2 ** 60 });
    assert.deepEqual(toKvValue('on'), { type: 'string', value: 'on' });
    assert.deepEqual(toKvValue({ a: [1] }), { type: 'json', value: { a: [1] } });
    assert.deepEqual(toKvValue([1, 'x']), { type: 'json', value: [1, 'x'] });
    assert.equal(toKvValue(null), null);
  });

  test('numeric strings are cast as ThingsBoard does by default', () => {
    assert.deepEqual(castNumericString('17'), { type: 'long', value: 17 });
    assert.deepEqual(castNumericString('-3.5'), { type: 'double', value: -3.5 });
    assert.deepEqual(castNumericString('21.00'), { type: 'long', value: 21 });
    assert.deepEqual(castNumericString('.5'), { type: 'double', value: 0.5 });
    assert.deepEqual(castNumericString('007'), { type: 'long', value: 7 });
    for (const s of ['1e5', '+1', '1.', '0x1f', ' 1', '', '12345678901234567890']) {
      assert.deepEqual(castNumericString(s), { type: 'string', value: s }, s);
    }
  });
});

describe('NUL characters (PostgreSQL text cannot hold them)', () => {
  test('rejects a NUL in a string value, a key or a device name, naming the field', () => {
    assert.throws(() => normalizeUplink({ deviceName: 'd', telemetry: { t: 'a\u0000b' } }, 1), /telemetry\.t: the string contains a NUL character/);
    assert.throws(() => normalizeUplink({ deviceName: 'd', attributes: { 'k\u0000': 1 } }, 1), /contains a NUL character/);
    assert.throws(() => normalizeUplink({ deviceName: 'd\u0000' }, 1), /deviceName contains a NUL character/);
  });
});

describe('timestamps and non-finite values: refused, never truncated or dropped', () => {
  const NOW = 1_700_000_000_000;
  const DAY = 86_400_000;
  const at = (ts: unknown, opts: { maxFutureTsMs?: number } = {}): number | string => {
    try {
      return normalizeUplink({ deviceName: 'd', telemetry: { ts, values: { t: 1 } } }, NOW, { now: NOW, ...opts })[0]?.telemetry[0]?.ts ?? -1;
    } catch (err) {
      assert.ok(err instanceof CloudbridgeError && err.code === 'CONVERTER_OUTPUT', String(err));
      return err.message;
    }
  };

  test('a point without ts gets the message time and is marked implicitTs; one with ts is not', () => {
    const [rec] = normalizeUplink({ deviceName: 'd', telemetry: [{ a: 1 }, { ts: NOW - 5, values: { b: 2 } }] }, NOW - 10, { now: NOW });
    assert.deepEqual(rec?.telemetry, [
      { ts: NOW - 10, key: 'a', value: { type: 'long', value: 1 }, implicitTs: true },
      { ts: NOW - 5, key: 'b', value: { type: 'long', value: 2 } },
    ]);
  });

  test('ts before 1970 is refused', () => {
    assert.equal(at(-1), 'result.telemetry.ts: -1 is before 1970 (epoch milliseconds cannot be negative)');
    assert.equal(at('-5'), 'result.telemetry.ts: -5 is before 1970 (epoch milliseconds cannot be negative)');
    assert.equal(at(0), 0);
  });

  test('ts more than the horizon (default 1 day, configurable) in the future is refused', () => {
    assert.equal(at(NOW + DAY), NOW + DAY);
    assert.equal(at(NOW + DAY + 1), `result.telemetry.ts: ${NOW + DAY + 1} (2023-11-15T22:13:20.001Z) is more than 1 day in the future; `
      + 'check that it is in milliseconds (not microseconds) and the device clock (the limit is ingest.maxFutureTsMs)');
    assert.match(String(at(1e20)), /^result\.telemetry\.ts: 100000000000000000000 is more than 1 day in the future/);
    assert.match(String(at(NOW * 1000)), /is more than 1 day in the future; check that it is in milliseconds \(not microseconds\)/);
    assert.match(String(at(NOW + 1, { maxFutureTsMs: 0 })), /is more than 0 ms in the future/);
    assert.equal(at(NOW + 3_600_000, { maxFutureTsMs: 3_600_000 }), NOW + 3_600_000);
    assert.match(String(at(NOW + 3_600_001, { maxFutureTsMs: 3_600_000 })), /is more than 1 h in the future/);
  });

  test('a ts that is not whole milliseconds is refused, not truncated; a numeric string must be whole too', () => {
    assert.equal(at(1.5), 'result.telemetry.ts: must be whole epoch milliseconds, got 1.5 (round it, e.g. Math.round(ts))');
    assert.equal(at('1.5'), 'result.telemetry.ts: must be whole epoch milliseconds, got "1.5" (round it, e.g. Math.round(ts))');
    assert.equal(at(String(NOW)), NOW);
    assert.equal(at(`${NOW}.000`), NOW);
    for (const s of ['1e3', ' 17', '0x10', '', 'soon']) assert.equal(at(s), `result.telemetry.ts: must be epoch milliseconds, got ${JSON.stringify(s)}`, s);
  });

  test('Infinity and NaN are refused naming the key (as numbers and as the sandbox marks them)', () => {
    for (const [v, name] of [[Infinity, 'Infinity'], [-Infinity, '-Infinity'], [NaN, 'NaN'], ['\u0000Infinity', 'Infinity'], ['\u0000-Infinity', '-Infinity'], ['\u0000NaN', 'NaN']] as const) {
      assert.equal(outputError({ deviceName: 'd', telemetry: { ok: 1, bad: v } }), `result.telemetry.bad: is ${name}; only finite numbers can be stored (the value is refused, not skipped)`);
      assert.equal(outputError({ deviceName: 'd', attributes: { bad: v } }), `result.attributes.bad: is ${name}; only finite numbers can be stored (the value is refused, not skipped)`);
    }
    assert.equal(outputError({ deviceName: 'd', telemetry: [{ ts: 1, values: { j: { list: [1, { x: '\u0000NaN' }] } } }] }),
      'result.telemetry[0].values.j.list[1].x: is NaN; only finite numbers can be stored (the value is refused, not skipped)');
    assert.equal(at('\u0000Infinity'), 'result.telemetry.ts: must be epoch milliseconds, got Infinity');
    assert.equal(outputError({ deviceName: '\u0000NaN' }), 'result.deviceName: must be a string, got NaN');
    assert.equal(outputError('\u0000Infinity'), 'result: expected an object or an array of objects, got Infinity (return {deviceName, telemetry})');
    assert.equal(outputError({ deviceName: 'd', telemetry: '\u0000-Infinity' }), 'result.telemetry: must be an object ({key: value} or {ts, values}), got -Infinity');
  });

  test('a numeric string too large for a double stays a string instead of becoming Infinity', () => {
    const huge = `${'9'.repeat(400)}.5`;
    assert.deepEqual(castNumericString(huge), { type: 'string', value: huge });
    assert.deepEqual(castNumericString(`-${huge}`), { type: 'string', value: `-${huge}` });
    const [rec] = normalizeUplink({ deviceName: 'd', telemetry: { big: huge } }, AT);
    assert.deepEqual(rec?.telemetry[0]?.value, { type: 'string', value: huge });
  });
});

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createUplinkRunner } from '../../src/converters/index.ts';
import type { UplinkConverterRunner } from '../../src/converters/index.ts';
import type { Clock } from '../../src/core/clock.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { codeOf, converter, errorOf, input, recordsOf } from './helpers.ts';

/** Counts its runs, so a test can tell whether quarantined messages reached the script. */
const SCRIPT = `
globalThis.runs = (globalThis.runs || 0) + 1;
if (metadata.fail) throw new Error('boom');
return { deviceName: 'd', attributes: { runs: globalThis.runs } };`;

const START = Date.UTC(2030, 0, 1);

describe('converter quarantine', () => {
  const open: UplinkConverterRunner[] = [];
  const make = async (clock: Clock, maxConsecutiveFailures = 3): Promise<UplinkConverterRunner> => {
    const r = await createUplinkRunner(converter(SCRIPT), { maxConsecutiveFailures, quarantineMs: 60_000, clock });
    open.push(r);
    return r;
  };
  after(() => { for (const r of open) r.dispose(); });
  const bad = () => input({}, { fail: '1' });
  const good = () => input({});
  const runs = (c: Parameters<typeof recordsOf>[0]) => recordsOf(c)[0]?.attributes[0]?.value.value;

  test('after N consecutive failures messages fail fast with the reason and the end time, then it recovers', async () => {
    const clock = new ManualClock(START);
    const r = await make(clock);
    assert.deepEqual((await r.convert([bad(), bad(), bad()])).map(codeOf), ['CONVERTER_RUNTIME', 'CONVERTER_RUNTIME', 'CONVERTER_RUNTIME']);
    const until = clock.now() + 60_000;
    const state = r.quarantine?.();
    assert.equal(state?.consecutiveFailures, 3);
    assert.equal(state?.quarantinedUntil, until);
    assert.match(state?.reason ?? '', /^CONVERTER_RUNTIME: Error: boom \(line 3, column \d+\)$/);

    const e = errorOf((await r.convert([good()]))[0]);
    assert.equal(e.stage, 'quarantine');
    assert.equal(e.code, 'CONVERTER_QUARANTINED');
    assert.equal(e.message, 'converter "test converter" is quarantined until 2030-01-01T00:01:00.000Z after 3 consecutive failing '
      + `messages (last error: ${state?.reason ?? ''}); fix the converter or wait`);

    clock.set(until);
    const [c] = await r.convert([good()]);
    assert.equal(runs(c), 4, 'the quarantined message never reached the script');
    assert.deepEqual(r.quarantine?.(), { consecutiveFailures: 0, quarantinedUntil: null, reason: null });
  });

  test('any success resets the count', async () => {
    const r = await make(new ManualClock(START));
    const out = await r.convert([bad(), bad(), good(), bad(), bad(), good()]);
    assert.deepEqual(out.map(codeOf), ['CONVERTER_RUNTIME', 'CONVERTER_RUNTIME', 'ok', 'CONVERTER_RUNTIME', 'CONVERTER_RUNTIME', 'ok']);
    assert.equal(r.quarantine?.().quarantinedUntil, null);
  });

  test('invalid payloads (a device sending garbage) do not quarantine the converter', async () => {
    const r = await createUplinkRunner(converter('return { deviceName: decodeToJson(payload).name };'),
      { maxConsecutiveFailures: 2, clock: new ManualClock(START) });
    open.push(r);
    const out = await r.convert([input('garbage'), input('garbage'), input('garbage'), input({ name: 'ok' })]);
    assert.deepEqual(out.map(codeOf), ['PAYLOAD_INVALID', 'PAYLOAD_INVALID', 'PAYLOAD_INVALID', 'ok']);
  });

  test('validation failures count too, and 0 disables quarantine', async () => {
    const clock = new ManualClock(START);
    const r = await createUplinkRunner(converter('return { telemetry: {} };'), { maxConsecutiveFailures: 2, clock });
    open.push(r);
    await r.convert([input({}), input({})]);
    assert.equal(codeOf((await r.convert([input({})]))[0]), 'CONVERTER_QUARANTINED');

    const unguarded = await make(clock, 0);
    assert.equal(unguarded.quarantine, undefined);
    const out = await unguarded.convert(Array.from({ length: 10 }, bad));
    assert.ok(out.every((c) => codeOf(c) === 'CONVERTER_RUNTIME'));
  });
});

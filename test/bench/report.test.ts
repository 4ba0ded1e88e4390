/** The bench report's table: ratios, targets, verdicts and the comparison with the last run, as printed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectorBenchRow, formatTable, type BenchResult, type BenchRow } from '../../bench/report.ts';
import type { ScaleOutResult } from '../../bench/scale-out.ts';
import { scaleOutBenchRows } from '../../bench/scale-out-rows.ts';

const drain: BenchRow = {
  id: 'mqtt.drain', measure: 'mqtt: drain 200000 preloaded', unit: 'msg/s', value: 45_000,
  baseline: { name: 'reference', value: 48_000 }, target: { of: 'ratio', op: '>=', limit: 0.9 },
};
const p99: BenchRow = {
  id: 'mqtt.latency.p99', measure: 'mqtt: p99', unit: 'ms', value: 12.5,
  baseline: { name: 'reference', value: 4 }, target: { of: 'value', op: '<=', limit: 10 },
};

function lines(table: string): string[][] {
  return table.split('\n').map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

describe('bench report table', () => {
  it('shows value, baseline, ratio, target and whether it is met', () => {
    const [header, , row1, row2] = lines(formatTable([drain, p99], null));
    assert.deepEqual(header?.slice(0, 6), ['Measure', 'Value', 'Baseline (same run)', 'Ratio', 'Target', 'Met']);
    assert.deepEqual(row1?.slice(0, 6), ['mqtt: drain 200000 preloaded', '45.0k msg/s', 'reference: 48.0k msg/s', '0.94', 'ratio ≥ 0.9', 'met']);
    assert.deepEqual(row2?.slice(0, 6), ['mqtt: p99', '12.5 ms', 'reference: 4.0 ms', '3.13', '≤ 10.0 ms', 'NOT met']);
  });

  it('compares each row with the same row of the last result', () => {
    const last = { startedAt: '2026-12-01T10:00:00.000Z', rows: [{ ...drain, value: 30_000, ratio: 0.6, met: false }] } as unknown as BenchResult;
    const [header, , row1, row2] = lines(formatTable([drain, p99], last));
    assert.equal(header?.[6], 'Last run (2026-12-01T10:00)');
    assert.equal(row1?.[6], '30.0k msg/s (+50 %), ratio 0.60');
    assert.equal(row2?.[6], '');
  });

  it('turns connector drains and the scale-out result into rows with the issue targets', () => {
    const row = (consumer: string, instances: number, rate: number, speedup: number) => ({ source: 'aws-sqs', consumer, instances, rate, speedup, perInstance: Array.from({ length: instances }, () => rate / instances) });
    const scaleOut = {
      quota: { cores: 0.5 },
      rows: [row('cloudbridge', 1, 10_000, 1), row('cloudbridge', 2, 18_000, 1.8), row('cloudbridge', 3, 21_000, 2.1), row('raw-sdk', 3, 30_000, 1.2)],
      targets: [{ source: 'aws-sqs', instances: 3, met: false, limits: ['the machine was 100 % busy'] }],
    } as unknown as ScaleOutResult;
    const [, , sqs, two, three] = lines(formatTable([
      connectorBenchRow('aws-sqs', 'drain 20000', { raw: 10_000, cloudbridge: 8000 }),
      ...scaleOutBenchRows(scaleOut),
    ], null));
    assert.deepEqual(sqs?.slice(3, 6), ['0.80', 'ratio ≥ 0.9', 'NOT met']);
    assert.deepEqual(two?.slice(1, 6), ['18.0k msg/s', '1 instance: 10.0k msg/s', '1.80', '', '']);
    assert.deepEqual(three?.slice(3, 6), ['2.10', 'ratio ≥ 2.5', 'NOT met']);
    assert.match(three?.[0] ?? '', /^scale-out aws-sqs: 3 instances on one PostgreSQL \(0.5 core each\), aggregate \(7000 \/ 7000 \/ 7000 msg\/s per instance; raw SDK consumers 1.20 × one; the machine was 100 % busy\)$/);
  });
});

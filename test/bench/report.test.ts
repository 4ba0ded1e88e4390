/** The bench report's table: ratios, targets, verdicts and the comparison with the last run, as printed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectorBenchRow, formatTable, scaleOutBenchRow, type BenchResult, type BenchRow } from '../../bench/report.ts';

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

  it('turns connector drains and scale-out measurements into rows with the issue targets', () => {
    const [, , sqs, three, two] = lines(formatTable([
      connectorBenchRow('aws-sqs', 'drain 20000', { raw: 10_000, cloudbridge: 8000 }),
      scaleOutBenchRow({ source: 'aws-sqs', instances: 3, aggregateRate: 27_000, oneInstanceRate: 10_000 }),
      scaleOutBenchRow({ source: 'aws-kinesis', instances: 2, aggregateRate: 15_000, oneInstanceRate: 9000, peerLimit: 'kinesalite serves 16k rec/s' }),
    ], null));
    assert.deepEqual(sqs?.slice(3, 6), ['0.80', 'ratio ≥ 0.9', 'NOT met']);
    assert.deepEqual(three?.slice(3, 6), ['2.70', 'ratio ≥ 2.5', 'met']);
    assert.match(two?.[0] ?? '', /aws-kinesis: 2 instances .*7500 msg\/s each.*kinesalite serves 16k rec\/s/);
    assert.deepEqual(two?.slice(4, 6), ['', '']);
  });
});

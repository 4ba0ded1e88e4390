/**
 * The scale-out bench's result (bench/scale-out.ts) as rows of the report: for each source,
 * Cloudbridge's aggregate rate with k instances against one instance (the issue's target: 3
 * instances ≥ 2.5 × one), the rate per instance, the raw SDK consumers' speed-up at as many and
 * the limits the bench saw, in the label.
 */
import type { BenchRow } from './report.ts';
import type { ScaleOutResult } from './scale-out.ts';

export function scaleOutBenchRows(result: ScaleOutResult): BenchRow[] {
  const quota = result.quota.cores === null ? 'no CPU quota' : `${result.quota.cores} core each`;
  return result.targets.flatMap((target) => {
    const cloudbridge = result.rows.filter((r) => r.source === target.source && r.consumer === 'cloudbridge');
    const one = cloudbridge.find((r) => r.instances === 1);
    if (!one) return [];
    return cloudbridge.filter((r) => r.instances > 1).map((r): BenchRow => {
      const raw = result.rows.find((o) => o.source === r.source && o.consumer === 'raw-sdk' && o.instances === r.instances);
      const notes = [
        `${r.perInstance.map((x) => x.toFixed(0)).join(' / ')} msg/s per instance`,
        ...(raw?.speedup != null ? [`raw SDK consumers ${raw.speedup.toFixed(2)} × one`] : []),
        ...(r.instances === target.instances && !target.met ? target.limits.filter((l) => !l.includes('raw SDK consumers')) : []),
      ];
      return {
        id: `scale-out.${r.source}.${r.instances}`,
        measure: `scale-out ${r.source}: ${r.instances} instances on one PostgreSQL (${quota}), aggregate (${notes.join('; ')})`,
        unit: 'msg/s', value: r.rate, baseline: { name: '1 instance', value: one.rate },
        ...(r.instances === 3 ? { target: { of: 'ratio', op: '>=', limit: 2.5 } } : {}),
      };
    });
  });
}

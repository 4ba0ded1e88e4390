/** The scale-out bench's result as Markdown tables: one per source, then the target and the checks. */
import type { ScaleOutResult, ScaleOutRow } from './scale-out.ts';

const PEERS: Record<string, string> = { 'aws-sqs': 'fauxqs', 'aws-kinesis': 'kinesalite' };

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const x = (n: number | null): string => (n === null ? '–' : `${n.toFixed(2)}×`);
const cores = (n: number | null): string => (n === null ? '–' : n.toFixed(2));

const pair = (cb: ScaleOutRow | undefined, raw: ScaleOutRow | undefined, cell: (r: ScaleOutRow) => string): string =>
  `${cb ? cell(cb) : '–'} / ${raw ? cell(raw) : '–'}`;

function line(cb: ScaleOutRow | undefined, raw: ScaleOutRow | undefined, instances: number): string {
  const cells = [
    `${instances}`,
    cb ? int(cb.rate) : '–',
    cb ? cb.perInstance.map(int).join(' / ') : '–',
    x(cb?.speedup ?? null),
    raw ? int(raw.rate) : '–',
    raw ? raw.perInstance.map(int).join(' / ') : '–',
    x(raw?.speedup ?? null),
    cb && raw ? (cb.rate / raw.rate).toFixed(2) : '–',
    pair(cb, raw, (r) => r.instanceCores.map(cores).join(' + ')),
    pair(cb, raw, (r) => `${int(r.cpuMicrosPerRecord)}${r.steadyCpuMicrosPerRecord === null ? '' : ` (${int(r.steadyCpuMicrosPerRecord)})`}`),
    pair(cb, raw, (r) => x(r.cpuBoundSpeedup)),
    pair(cb, raw, (r) => cores(r.peerCores)),
    pair(cb, raw, (r) => cores(r.postgresCores)),
    pair(cb, raw, (r) => `${(r.machineBusy * 100).toFixed(0)} %`),
    pair(cb, raw, (r) => cores(r.otherCores)),
  ];
  return `| ${cells.join(' | ')} |`;
}

export function formatScaleOut(result: ScaleOutResult): string {
  const q = result.quota;
  const out = [
    q.cores === null
      ? `Scale-out on one PostgreSQL database, NO CPU QUOTA (${q.detail}): speed-ups are not per equal CPU share.`
      : `Scale-out on one PostgreSQL database, every process (and its children) held to ${q.cores} core: ${q.detail}.`,
    `${result.machine.cpus} CPUs, load average ${result.machine.loadAverage.join(' ')} at the start, ${result.date}. Rates in records/s over the whole drain; pairs are Cloudbridge / raw SDK round.`,
  ];
  for (const source of [...new Set(result.rows.map((r) => r.source))]) {
    const rows = result.rows.filter((r) => r.source === source);
    const counts = [...new Set(rows.map((r) => r.instances))].sort((a, b) => a - b);
    const records = rows[0]?.records ?? 0;
    out.push('', `${source}: ${int(records)} records per drain, ${PEERS[source] ?? 'the peer'} (one Node process)`, '',
      '| Instances | Cloudbridge rec/s | per instance | speed-up | raw SDK rec/s | per consumer | raw speed-up | Cloudbridge / raw | cores each (CB / raw) | CPU µs/rec (steady) (CB / raw) | speed-up if CPU-bound | peer cores | PostgreSQL cores | machine busy | other load, cores |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const k of counts) out.push(line(rows.find((r) => r.instances === k && r.consumer === 'cloudbridge'), rows.find((r) => r.instances === k && r.consumer === 'raw-sdk'), k));
    const leases = rows.filter((r) => r.consumer === 'cloudbridge' && r.source === 'aws-kinesis' && r.instances > 1);
    if (leases.length) {
      const one = rows.find((r) => r.consumer === 'cloudbridge' && r.instances === 1);
      const again = (r: ScaleOutRow): string => `${r.leasesStolen ?? 0} leases stolen, ${int(Math.max(0, (r.received ?? r.records) - r.records))} messages read again`;
      const after = (r: ScaleOutRow): string => (r.balancedAfterSeconds === null
        ? `${r.instances} instances: not balanced before the end (${again(r)})`
        : `${r.instances} instances: balanced ${r.balancedAfterSeconds.toFixed(1)} s after enabling (${again(r)}), ${r.balancedRate === null ? 'then done' : `then ${int(r.balancedRate)} rec/s${one ? ` (${x(r.balancedRate / one.rate)} one instance)` : ''}`}`);
      out.push('', `Shard leases (instances enabled together; a newcomer takes one lease per cycle from the busiest): ${leases.map(after).join('; ')}.`);
    }
  }
  out.push('');
  for (const t of result.targets) {
    const verdict = t.instances < 3 ? `not measured (the target is for 3 instances, ${t.instances} ran)` : t.met ? 'met' : 'NOT met';
    out.push(`Target 3 instances ≥ 2.5× one, ${t.source}: ${t.instances} instances ${x(t.speedup)} — ${verdict}; raw SDK consumers ${x(t.rawSpeedup)}.${t.limits.length ? ` Limits seen: ${t.limits.join('; ')}.` : ''}`);
  }
  const cb = result.rows.filter((r) => r.points !== null);
  const exact = cb.every((r) => r.points?.stored === r.points?.expected);
  out.push(`Exactly once: ${exact ? 'every' : 'NOT every'} Cloudbridge round stored records × 3 telemetry points (${cb.length} rounds); redeliveries recognised as duplicates: ${cb.reduce((a, r) => a + (r.duplicates ?? 0), 0)}.`);
  const grouped = cb.filter((r) => r.groupedProcesses !== null);
  if (grouped.length) out.push(`CPU groups: every instance's processes (itself and its converter sandboxes: ${grouped.map((r) => `${r.groupedProcesses} for ${r.instances}`).join(', ')}) were in its group at the end of each round.`);
  return out.join('\n');
}

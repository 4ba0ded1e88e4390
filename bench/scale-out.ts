/**
 * Scale-out benchmark: 1, 2 and 3 Cloudbridge instances (separate `cloudbridge start` processes,
 * each with its own API port) on ONE PostgreSQL database draining
 *  - one preloaded SQS queue in fauxqs (competing consumers, dedupe by MessageId in the shared
 *    database), and
 *  - one preloaded Kinesis stream of 12 shards in kinesalite (the instances split the shards by
 *    leases in the shared database),
 * every process held to the same CPU share (a cgroup quota, half a core by default; its converter
 * sandboxes share it). Beside each round, as many raw SDK consumers (records counted and dropped,
 * one process each, the same quota) drain the same peer: their speed-up shows where the peer, a
 * single Node process, is the limit.
 *
 * Per round: the aggregate rate (records / time from enabling the integration on every instance
 * to the last record stored, polled every 100 ms from the instances' status API), each instance's
 * share of it, and the check that nothing was stored twice or lost (the database holds exactly
 * records × 3 telemetry points). CPU: each instance's (cores, µs per record), the peer process's,
 * the PostgreSQL server's (all its processes, whoever they serve), the whole machine's, and what
 * other users of the machine took beyond all of these.
 *
 *   npm run bench -- scale-out [--n N]       (or: node bench/scale-out.ts --help)
 *
 * Nothing is asserted: the figures are printed (formatScaleOut) and returned as plain JSON.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { detectCpuQuotas, removeStaleCpuGroups } from './scale-cgroup.ts';
import { dropStaleDatabases } from './scale-postgres.ts';
import { cloudbridgeRound, rawRound } from './scale-rounds.ts';
import { kinesisSource, sqsSource, type ScaleSource, type SourceType } from './scale-sources.ts';
import { formatScaleOut } from './scale-table.ts';

export interface ScaleOutOptions {
  /** Records per drain (default: 20,000 SQS messages, 60,000 Kinesis records). */
  n?: number;
  /** Instance counts (default 1, 2, 3). */
  instances?: number[];
  /** CPU quota of every process in cores (default 0.5); 0: no quota. */
  cores?: number;
  /** Sources to drain (default both). */
  sources?: SourceType[];
  /** Shards of the Kinesis stream (default 12). */
  shards?: number;
  /** The Kinesis integration's leaseDurationSeconds (default 3, the least: instances started together balance their leases within about 4 cycles of a third of it). */
  leaseDurationSeconds?: number;
  /** Write a V8 CPU profile of every Cloudbridge instance (main process) into this directory. */
  cpuProfileDir?: string;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

export type Consumer = 'cloudbridge' | 'raw-sdk';

export interface ScaleOutRow {
  source: SourceType;
  consumer: Consumer;
  instances: number;
  records: number;
  seconds: number;
  /** Records per second, all instances together. */
  rate: number;
  /** Records per second each instance stored (or each raw consumer took) in that time. */
  perInstance: number[];
  /** rate / the rate of 1 instance of the same consumer (null without a 1-instance row). */
  speedup: number | null;
  /**
   * The speed-up if every instance got its whole quota and nothing else limited: instances × CPU
   * per record of 1 instance / CPU per record here, steady where measured (independent of the
   * machine's other load).
   */
  cpuBoundSpeedup: number | null;
  /** CPU of each instance (itself and its converter sandboxes) or raw consumer, in cores. */
  instanceCores: number[];
  /** CPU of all instances (or raw consumers) together per record, µs, from enabling (raw: from the start signal) to the end. */
  cpuMicrosPerRecord: number;
  /** Cloudbridge: the same once each instance was storing (its integration's start left out); null if not seen. */
  steadyCpuMicrosPerRecord: number | null;
  /** CPU of the peer's process (fauxqs or kinesalite) during the drain, in cores. */
  peerCores: number | null;
  /** CPU of every PostgreSQL process on this machine during the drain, in cores, whoever they served (backends that ended meanwhile missing: a lower bound). */
  postgresCores: number;
  /** Share of all the machine's CPUs busy during the drain, 0–1. */
  machineBusy: number;
  /** The machine's busy cores beyond the consumers, the peer, PostgreSQL and this bench process: other users of the machine. */
  otherCores: number | null;
  /** Kinesis, Cloudbridge: seconds from enabling until every instance read its share of the shards. */
  balancedAfterSeconds: number | null;
  /** Kinesis, Cloudbridge: records per second from that moment to the end (null: never balanced before the end). */
  balancedRate: number | null;
  /** Cloudbridge: telemetry points in the database after the drain, and how many there must be. */
  points: { stored: number; expected: number } | null;
  /** Cloudbridge: redeliveries recognised as duplicates (not stored again), all instances. */
  duplicates: number | null;
  /**
   * Cloudbridge: messages the instances took into their pipelines, all together: more than the
   * records when work was done twice (a delivery rolled back when its shard lease moved and read
   * again by the new owner, or an SQS redelivery).
   */
  received: number | null;
  /** Cloudbridge on Kinesis: leases taken from another instance (steals), all instances. */
  leasesStolen: number | null;
  /** Cloudbridge with a quota: the instances' processes (themselves and their sandboxes), all checked to be in their groups. */
  groupedProcesses: number | null;
}

export interface ScaleOutTarget {
  source: SourceType;
  /** Cloudbridge's speed-up at the most instances run. */
  speedup: number | null;
  /** The raw SDK consumers' speed-up at as many. */
  rawSpeedup: number | null;
  instances: number;
  /** The target: 3 instances ≥ 2.5 × one. */
  met: boolean;
  /** What limited it, from the measured CPU (peer saturated, machine saturated, …). */
  limits: string[];
}

export interface ScaleOutResult {
  /** When the run started. */
  date: string;
  machine: { cpus: number; loadAverage: number[] };
  /** The CPU quota per process: how it is set (or why none is), and its size. */
  quota: { mechanism: string | null; detail: string; cores: number | null };
  rows: ScaleOutRow[];
  targets: ScaleOutTarget[];
}

const TARGET_SPEEDUP = 2.5;

function withSpeedups(rows: ScaleOutRow[]): ScaleOutRow[] {
  return rows.map((r) => {
    const one = rows.find((o) => o.source === r.source && o.consumer === r.consumer && o.instances === 1);
    const perRecord = (row: ScaleOutRow): number => row.steadyCpuMicrosPerRecord ?? row.cpuMicrosPerRecord;
    return { ...r, speedup: one ? r.rate / one.rate : null, cpuBoundSpeedup: one ? (r.instances * perRecord(one)) / perRecord(r) : null };
  });
}

function targets(rows: ScaleOutRow[], quotaCores: number | null): ScaleOutTarget[] {
  const sources = [...new Set(rows.map((r) => r.source))];
  return sources.map((source) => {
    const cb = rows.filter((r) => r.source === source && r.consumer === 'cloudbridge');
    const top = cb.reduce<ScaleOutRow | null>((a, r) => (a === null || r.instances > a.instances ? r : a), null);
    const raw = rows.find((r) => r.source === source && r.consumer === 'raw-sdk' && r.instances === top?.instances);
    const limits: string[] = [];
    if (top) {
      if ((top.peerCores ?? 0) >= 0.85) limits.push(`the peer used ${(top.peerCores ?? 0).toFixed(2)} cores (one Node process: about 1 at most)`);
      if (top.machineBusy >= 0.9) limits.push(`the machine was ${(top.machineBusy * 100).toFixed(0)} % busy`);
      const used = top.instanceCores;
      if (quotaCores !== null && used.every((c) => c >= 0.9 * quotaCores)) {
        limits.push(`every instance used its whole quota (${used.map((c) => c.toFixed(2)).join(' / ')} cores)`);
      } else if (quotaCores !== null) {
        limits.push(`the instances got ${used.map((c) => c.toFixed(2)).join(' / ')} of their ${quotaCores} core`);
      }
      if (top.postgresCores >= 0.5) limits.push(`PostgreSQL used ${top.postgresCores.toFixed(2)} cores`);
      if ((top.otherCores ?? 0) >= 0.25) limits.push(`other users of the machine took ${(top.otherCores ?? 0).toFixed(2)} cores`);
      if (raw?.speedup !== null && raw?.speedup !== undefined && raw.speedup < TARGET_SPEEDUP) limits.push(`${raw.instances} raw SDK consumers reached only ${raw.speedup.toFixed(2)} × one`);
    }
    const speedup = top?.speedup ?? null;
    return {
      source, speedup, rawSpeedup: raw?.speedup ?? null, instances: top?.instances ?? 0,
      met: top !== null && top.instances >= 3 && speedup !== null && speedup >= TARGET_SPEEDUP, limits,
    };
  });
}

export async function runScaleOut(opts: ScaleOutOptions = {}): Promise<ScaleOutResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const date = new Date().toISOString();
  const machine = { cpus: cpus().length, loadAverage: loadavg().map((l) => Number(l.toFixed(2))) };
  const counts = opts.instances ?? [1, 2, 3];
  const shards = opts.shards ?? 12;
  const quotas = detectCpuQuotas();
  const wanted = opts.cores ?? 0.5;
  const cores = wanted > 0 && quotas.kind !== null ? wanted : null;
  if (quotas.kind !== null) removeStaleCpuGroups(quotas);
  await dropStaleDatabases();
  const quota = { mechanism: cores === null ? null : quotas.kind, detail: wanted > 0 ? quotas.reason : 'no quota asked for (--cores 0)', cores };
  log(cores === null
    ? `scale-out: NO CPU QUOTA (${quota.detail}): every process may use any core, so the speed-ups below are not per equal share`
    : `scale-out: every process held to ${cores} core (${quotas.reason})`);
  const sources: ScaleSource[] = (opts.sources ?? ['aws-sqs', 'aws-kinesis']).map((type) => (type === 'aws-sqs'
    ? sqsSource({ records: opts.n ?? 20_000 })
    : kinesisSource({ records: opts.n ?? 60_000, shards, leaseDurationSeconds: opts.leaseDurationSeconds ?? 3 })));
  const setup = { quotas, cores, shards, cpuProfileDir: opts.cpuProfileDir ?? null };
  const rows: ScaleOutRow[] = [];
  for (const source of sources) {
    try {
      for (const k of counts) {
        for (const consumer of ['raw-sdk', 'cloudbridge'] as const) {
          const drain = await source.drain();
          try {
            const row = consumer === 'raw-sdk' ? await rawRound(drain, source, k, setup) : await cloudbridgeRound(drain, source, k, setup);
            rows.push(row);
            log(`  ${source.type} ${consumer === 'raw-sdk' ? 'raw SDK' : 'Cloudbridge'} × ${k}: ${row.rate.toFixed(0)} rec/s in ${row.seconds.toFixed(1)} s (${row.perInstance.map((r) => r.toFixed(0)).join(' + ')})`);
          } finally {
            await drain.end();
          }
        }
      }
    } finally {
      await source.close();
    }
  }
  const all = withSpeedups(rows);
  return {
    date,
    machine,
    quota, rows: all, targets: targets(all, cores),
  };
}

/** runScaleOut with its progress, then the tables (formatScaleOut). */
export async function benchScaleOut(opts: ScaleOutOptions = {}): Promise<ScaleOutResult> {
  const result = await runScaleOut(opts);
  console.log(`\n${formatScaleOut(result)}`);
  return result;
}

const HELP = `Usage: node bench/scale-out.ts [--n N] [--instances 1,2,3] [--cores 0.5] [--sources aws-sqs,aws-kinesis] [--shards 12] [--lease-seconds 3]
  --n              records per drain (default 20000 for aws-sqs, 60000 for aws-kinesis)
  --instances      instance counts to run (default 1,2,3)
  --cores          CPU quota of every process in cores (default 0.5; 0: none)
  --sources        which sources (default both)
  --shards         shards of the Kinesis stream (default 12)
  --lease-seconds  leaseDurationSeconds of the Kinesis integration (default 3)
  --json FILE      also write the result as JSON
  --cpu-prof DIR   write a CPU profile of every Cloudbridge instance into DIR (summarise: node bench/scale-profile.ts DIR/…)
Needs root for the quota and PostgreSQL at CLOUDBRIDGE_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).`;

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      n: { type: 'string' }, instances: { type: 'string' }, cores: { type: 'string' }, sources: { type: 'string' }, shards: { type: 'string' },
      'lease-seconds': { type: 'string' }, json: { type: 'string' }, 'cpu-prof': { type: 'string' }, help: { type: 'boolean' },
    },
  });
  // Exit hooks (here and in the peers) kill the instances, consumers and peers still running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  if (values.help) {
    console.log(HELP);
  } else {
    const list = (v: string | undefined): string[] | undefined => v?.split(',').map((s) => s.trim()).filter(Boolean);
    const result = await benchScaleOut({
      ...(values.n ? { n: Number(values.n) } : {}),
      ...(values.instances ? { instances: list(values.instances)?.map(Number) } : {}),
      ...(values.cores ? { cores: Number(values.cores) } : {}),
      ...(values.sources ? { sources: list(values.sources) as SourceType[] } : {}),
      ...(values.shards ? { shards: Number(values.shards) } : {}),
      ...(values['lease-seconds'] ? { leaseDurationSeconds: Number(values['lease-seconds']) } : {}),
      ...(values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {}),
    });
    if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  }
}

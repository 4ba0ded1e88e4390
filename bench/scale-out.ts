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
 * records × 3 telemetry points). CPU: each group's use (cores, µs per record), the peer process's,
 * the PostgreSQL server's (all its processes, whoever they serve) and the whole machine's.
 *
 *   npm run bench -- scale-out [--n N]       (or: node bench/scale-out.ts --help)
 *
 * Nothing is asserted: the figures are printed (formatScaleOut) and returned as plain JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DECODER } from './common.ts';
import { createCpuGroup, detectCpuQuotas, removeStaleCpuGroups, type CpuGroup, type CpuQuotas } from './scale-cgroup.ts';
import { startInstance, type BenchInstance, type InstanceStatus } from './scale-instance.ts';
import { dropStaleDatabases, freshDatabase, roundDatabaseName } from './scale-postgres.ts';
import { busyBetween, cpuMicrosOf, machineCpu, pidsNamed, processCpuMicros } from './scale-proc.ts';
import { runRawConsumers } from './scale-raw.ts';
import { formatScaleOut } from './scale-table.ts';
import { kinesisSource, sqsSource, type ScaleSource, type SourceDrain, type SourceType } from './scale-sources.ts';

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
  /** CPU of each instance's group (instance + its sandboxes), in cores; null where not measured. */
  instanceCores: Array<number | null>;
  /** CPU of all instances together per record, µs; null where not measured. */
  cpuMicrosPerRecord: number | null;
  /** CPU of the peer's process (fauxqs or kinesalite) during the drain, in cores. */
  peerCores: number | null;
  /** CPU of every PostgreSQL process on this machine during the drain, in cores (Cloudbridge only). */
  postgresCores: number | null;
  /** Share of all the machine's CPUs busy during the drain, 0–1. */
  machineBusy: number;
  /** Kinesis, Cloudbridge: seconds from enabling until every instance read its share of the shards. */
  balancedAfterSeconds: number | null;
  /** Kinesis, Cloudbridge: records per second from that moment to the end (null: never balanced before the end). */
  balancedRate: number | null;
  /** Cloudbridge: telemetry points in the database after the drain, and how many there must be. */
  points: { stored: number; expected: number } | null;
  /** Cloudbridge: redeliveries recognised as duplicates (not stored again), all instances. */
  duplicates: number | null;
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
  /** The issue's target: 3 instances ≥ 2.5 × one. */
  met: boolean;
  /** What limited it, from the measured CPU (peer saturated, machine saturated, …). */
  limits: string[];
}

export interface ScaleOutResult {
  date: string;
  machine: { cpus: number; loadAverage: number[] };
  /** The CPU quota per process: how it is set (or why none is), and its size. */
  quota: { mechanism: string | null; detail: string; cores: number | null };
  rows: ScaleOutRow[];
  targets: ScaleOutTarget[];
}

const TARGET_SPEEDUP = 2.5;
const INTEGRATION = 'bench';
const POINTS_PER_RECORD = 3;
const POLL_MS = 100;
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU readings of what is outside the consumers: the peer, PostgreSQL, the machine. */
function surroundings(peerPid: number | null): () => { peerCores: number | null; postgresCores: number; machineBusy: number } {
  const postgres = pidsNamed('postgres');
  const start = { at: now(), machine: machineCpu(), peer: peerPid === null ? 0 : processCpuMicros(peerPid), postgres: cpuMicrosOf(postgres) };
  return () => {
    const wallUs = (now() - start.at) * 1000;
    const postgresNow = [...new Set([...postgres, ...pidsNamed('postgres')])];
    return {
      peerCores: peerPid === null ? null : (processCpuMicros(peerPid) - start.peer) / wallUs,
      // Backends that ended meanwhile are missing from the end reading: a lower bound.
      postgresCores: Math.max(0, cpuMicrosOf(postgresNow) - start.postgres) / wallUs,
      machineBusy: busyBetween(start.machine, machineCpu()),
    };
  };
}

interface Groups {
  list: Array<CpuGroup | null>;
  /** CPU µs of each group so far (null without groups). */
  usage(): Array<number | null>;
  remove(): Promise<void>;
}

function makeGroups(quotas: CpuQuotas, cores: number | null, label: string, count: number): Groups {
  const list = Array.from({ length: count }, (_, i) => (cores === null ? null : createCpuGroup(quotas, `${label}-${i + 1}`, cores)));
  return {
    list,
    usage: () => list.map((g) => g?.usageMicros() ?? null),
    async remove() {
      const left = (await Promise.all(list.map(async (g) => (g && !(await g.remove()) ? g.id : null)))).filter(Boolean);
      if (left.length) console.warn(`could not remove the cgroups ${left.join(', ')}: processes still in them`);
    },
  };
}

function cpuFigures(before: Array<number | null>, after: Array<number | null>, seconds: number, records: number): Pick<ScaleOutRow, 'instanceCores' | 'cpuMicrosPerRecord'> {
  const used = after.map((a, i) => (a === null || before[i] === null || before[i] === undefined ? null : a - (before[i] as number)));
  const measured = used.every((u) => u !== null);
  return {
    instanceCores: used.map((u) => (u === null ? null : u / 1e6 / seconds)),
    cpuMicrosPerRecord: measured ? (used as number[]).reduce((a, b) => a + b, 0) / records : null,
  };
}

async function rawRound(drain: SourceDrain, source: ScaleSource, k: number, quotas: CpuQuotas, cores: number | null): Promise<ScaleOutRow> {
  const groups = makeGroups(quotas, cores, `${source.type}-raw${k}`, k);
  try {
    const around = surroundings(drain.peerPid);
    const before = groups.usage();
    const run = await runRawConsumers(drain.rawJobs(k), groups.list);
    const after = groups.usage();
    const env = around();
    const received = run.results.reduce((a, r) => a + r.received, 0);
    if (received !== source.records) throw new Error(`${k} raw ${source.type} consumers took ${received} records, ${source.records} were preloaded`);
    const seconds = (Math.max(...run.results.map((r) => r.lastAt)) - run.goAt) / 1000;
    return {
      source: source.type, consumer: 'raw-sdk', instances: k, records: source.records, seconds, rate: source.records / seconds,
      perInstance: run.results.map((r) => r.received / seconds), speedup: null,
      ...cpuFigures(before, after, seconds, source.records),
      peerCores: env.peerCores, postgresCores: null, machineBusy: env.machineBusy,
      balancedAfterSeconds: null, balancedRate: null, points: null, duplicates: null, groupedProcesses: null,
    };
  } finally {
    await groups.remove();
  }
}

function cloudbridgeConfig(type: SourceType, connectorConfig: Record<string, unknown>, postgresUrl: string): Record<string, unknown> {
  return {
    store: { postgres: { url: postgresUrl } },
    converters: [{ name: 'dec', type: 'uplink', script: BENCH_DECODER }],
    integrations: [{ name: INTEGRATION, type, enabled: false, uplinkConverter: 'dec', config: connectorConfig }],
  };
}

/** shardsReadHere of each instance (Kinesis); balanced when they differ by at most one and cover every shard. */
function balanced(statuses: InstanceStatus[], shards: number): boolean {
  const here = statuses.map((s) => s.details?.shardsReadHere);
  if (!here.every((h) => typeof h === 'number')) return false;
  const counts = here as number[];
  return counts.reduce((a, b) => a + b, 0) === shards && Math.max(...counts) - Math.min(...counts) <= 1;
}

async function cloudbridgeRound(drain: SourceDrain, source: ScaleSource, k: number, quotas: CpuQuotas, cores: number | null, shards: number): Promise<ScaleOutRow> {
  const db = await freshDatabase(roundDatabaseName());
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-scale-'));
  const groups = makeGroups(quotas, cores, `${source.type}-cb${k}`, k);
  const instances: BenchInstance[] = [];
  try {
    const config = cloudbridgeConfig(source.type, drain.connectorConfig, db.url);
    // One after the other: the first creates the schema, the others find it.
    for (let i = 0; i < k; i++) instances.push(await startInstance(`cb${i + 1}`, dir, config, groups.list[i] ?? null));
    const around = surroundings(drain.peerPid);
    const before = groups.usage();
    const enabledAt = now();
    await Promise.all(instances.map((inst) => inst.enable(INTEGRATION)));
    const deadline = enabledAt + Math.max(300_000, source.records * 20);
    let balancedAt: { at: number; stored: number } | null = null;
    let statuses: InstanceStatus[] = [];
    for (;;) {
      statuses = await Promise.all(instances.map((inst) => inst.status(INTEGRATION)));
      const at = now();
      const stored = statuses.reduce((a, s) => a + s.counters.stored, 0);
      if (balancedAt === null && source.type === 'aws-kinesis' && balanced(statuses, shards)) balancedAt = { at, stored };
      if (stored >= source.records) break;
      if (at > deadline) {
        throw new Error(`${k} instances did not store ${source.records} records in time: ${statuses.map((s, i) => `${instances[i]?.label} ${s.state} stored ${s.counters.stored}${s.lastError ? ` (${s.lastError.code}: ${s.lastError.message})` : ''}`).join('; ')}`);
      }
      await sleep(POLL_MS);
    }
    const doneAt = now();
    const after = groups.usage();
    const env = around();
    const outside = instances.flatMap((inst) => inst.outsideGroup().map((p) => `${inst.label}: pid ${p}`));
    if (cores !== null && outside.length) throw new Error(`processes outside their instance's CPU group: ${outside.join(', ')}`);
    const grouped = cores === null ? null : instances.reduce((a, inst) => a + inst.processes().length, 0);
    const seconds = (doneAt - enabledAt) / 1000;
    // Anything stored twice would show now, however late.
    await sleep(1000);
    const final = await Promise.all(instances.map((inst) => inst.status(INTEGRATION)));
    const points = { stored: await db.countTelemetry(), expected: source.records * POINTS_PER_RECORD };
    if (points.stored !== points.expected) throw new Error(`${k} instances stored ${points.stored} telemetry points for ${source.records} records, expected ${points.expected}`);
    return {
      source: source.type, consumer: 'cloudbridge', instances: k, records: source.records, seconds, rate: source.records / seconds,
      perInstance: statuses.map((s) => s.counters.stored / seconds), speedup: null,
      ...cpuFigures(before, after, seconds, source.records),
      peerCores: env.peerCores, postgresCores: env.postgresCores, machineBusy: env.machineBusy,
      balancedAfterSeconds: balancedAt === null ? null : (balancedAt.at - enabledAt) / 1000,
      balancedRate: balancedAt === null || doneAt <= balancedAt.at ? null : (source.records - balancedAt.stored) / ((doneAt - balancedAt.at) / 1000),
      points, duplicates: final.reduce((a, s) => a + s.counters.duplicates, 0), groupedProcesses: grouped,
    };
  } finally {
    await Promise.all(instances.map((inst) => inst.stop()));
    await groups.remove();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function withSpeedups(rows: ScaleOutRow[]): ScaleOutRow[] {
  return rows.map((r) => {
    const one = rows.find((o) => o.source === r.source && o.consumer === r.consumer && o.instances === 1);
    return { ...r, speedup: one ? r.rate / one.rate : null };
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
      const used = top.instanceCores.filter((c): c is number => c !== null);
      if (quotaCores !== null && used.length && used.every((c) => c >= 0.9 * quotaCores)) {
        limits.push(`every instance used its whole quota (${used.map((c) => c.toFixed(2)).join(' / ')} cores)`);
      }
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
  const rows: ScaleOutRow[] = [];
  for (const source of sources) {
    try {
      for (const k of counts) {
        for (const consumer of ['raw-sdk', 'cloudbridge'] as const) {
          const drain = await source.drain();
          try {
            const row = consumer === 'raw-sdk' ? await rawRound(drain, source, k, quotas, cores) : await cloudbridgeRound(drain, source, k, quotas, cores, shards);
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
    date: new Date().toISOString(),
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
Needs root for the quota and PostgreSQL at CLOUDBRIDGE_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).`;

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      n: { type: 'string' }, instances: { type: 'string' }, cores: { type: 'string' }, sources: { type: 'string' }, shards: { type: 'string' },
      'lease-seconds': { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean' },
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
    });
    if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  }
}

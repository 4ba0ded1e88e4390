/**
 * One round of the scale-out bench: k raw SDK consumers, or k Cloudbridge instances on a fresh
 * PostgreSQL database, draining one prepared source (scale-sources.ts), each process in its own CPU
 * group. Measures the rate, each one's share, and the CPU of the consumers, the peer, PostgreSQL,
 * this bench process and what else ran on the machine; a Cloudbridge round also checks that every
 * record was stored exactly once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DECODER } from './common.ts';
import { createCpuGroup, type CpuGroup, type CpuQuotas } from './scale-cgroup.ts';
import { startInstance, type BenchInstance, type InstanceStatus } from './scale-instance.ts';
import type { ScaleOutRow } from './scale-out.ts';
import { freshDatabase, roundDatabaseName } from './scale-postgres.ts';
import { busyBetween, cpuMicrosOf, machineCpu, pidsNamed, processCpuMicros } from './scale-proc.ts';
import { PROFILE_WINDOW } from './scale-profile.ts';
import { runRawConsumers } from './scale-raw.ts';
import type { ScaleSource, SourceDrain, SourceType } from './scale-sources.ts';

export interface RoundSetup {
  quotas: CpuQuotas;
  /** The quota of each process in cores; null: none. */
  cores: number | null;
  /** Shards of the Kinesis stream (to tell when the leases are balanced). */
  shards: number;
  /** Where the instances write CPU profiles (a directory per round), null: none. */
  cpuProfileDir: string | null;
}

const INTEGRATION = 'bench';
const POINTS_PER_RECORD = 3;
const POLL_MS = 100;
const now = (): number => performance.timeOrigin + performance.now();
/** The monotonic clock V8's CPU profiles time their samples with, µs. */
const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Around = Pick<ScaleOutRow, 'peerCores' | 'postgresCores' | 'machineBusy' | 'otherCores'>;

/**
 * Starts measuring what surrounds the consumers: the peer process, every PostgreSQL process, this
 * bench process and the machine. The returned function ends it, given the consumers' own CPU in
 * cores: what the machine did beyond all of these is the other load (other users of the machine).
 */
function measureAround(peerPid: number | null): (consumerCores: number[] | null) => Around {
  const postgres = new Map(pidsNamed('postgres').map((p) => [p, processCpuMicros(p)]));
  const start = { at: now(), machine: machineCpu(), self: process.cpuUsage(), peer: peerPid === null ? 0 : processCpuMicros(peerPid) };
  return (consumerCores) => {
    const wallUs = (now() - start.at) * 1000;
    const self = process.cpuUsage(start.self);
    const peerCores = peerPid === null ? null : (processCpuMicros(peerPid) - start.peer) / wallUs;
    // What backends that ended meanwhile used is not known: a lower bound.
    const postgresCores = pidsNamed('postgres').reduce((sum, p) => sum + Math.max(0, processCpuMicros(p) - (postgres.get(p) ?? 0)), 0) / wallUs;
    const machineBusy = busyBetween(start.machine, machineCpu());
    const ours = consumerCores === null ? null : consumerCores.reduce((a, b) => a + b, 0) + (peerCores ?? 0) + postgresCores + (self.user + self.system) / wallUs;
    return { peerCores, postgresCores, machineBusy, otherCores: ours === null ? null : Math.max(0, machineBusy * cpus().length - ours) };
  };
}

interface Groups {
  list: Array<CpuGroup | null>;
  remove(): Promise<void>;
}

function makeGroups(setup: RoundSetup, label: string, count: number): Groups {
  const { cores } = setup;
  const list = Array.from({ length: count }, (_, i) => (cores === null ? null : createCpuGroup(setup.quotas, `${label}-${i + 1}`, cores)));
  return {
    list,
    async remove() {
      const left = (await Promise.all(list.map(async (g) => (g && !(await g.remove()) ? g.id : null)))).filter(Boolean);
      if (left.length) console.warn(`could not remove the cgroups ${left.join(', ')}: processes still in them`);
    },
  };
}

const EMPTY = {
  steadyCpuMicrosPerRecord: null, speedup: null, cpuBoundSpeedup: null, balancedAfterSeconds: null, balancedRate: null,
  points: null, duplicates: null, received: null, leasesStolen: null, groupedProcesses: null,
};

export async function rawRound(drain: SourceDrain, source: ScaleSource, k: number, setup: RoundSetup): Promise<ScaleOutRow> {
  const groups = makeGroups(setup, `${source.type}-raw${k}`, k);
  try {
    const around = measureAround(drain.peerPid);
    const run = await runRawConsumers(drain.rawJobs(k), groups.list);
    const received = run.results.reduce((a, r) => a + r.received, 0);
    if (received !== source.records) throw new Error(`${k} raw ${source.type} consumers took ${received} records, ${source.records} were preloaded`);
    const seconds = (Math.max(...run.results.map((r) => r.lastAt)) - run.goAt) / 1000;
    const consumerCores = run.results.map((r) => r.cpuMicros / 1e6 / seconds);
    return {
      ...EMPTY, source: source.type, consumer: 'raw-sdk', instances: k, records: source.records, seconds, rate: source.records / seconds,
      perInstance: run.results.map((r) => r.received / seconds), instanceCores: consumerCores,
      cpuMicrosPerRecord: run.results.reduce((a, r) => a + r.cpuMicros, 0) / source.records,
      ...around(consumerCores),
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

/** Kinesis: every instance reads its share of the shards (shares differ by at most one, all shards read). */
function balanced(statuses: InstanceStatus[], shards: number): boolean {
  const here = statuses.map((s) => s.details?.shardsReadHere);
  if (!here.every((h) => typeof h === 'number')) return false;
  const counts = here as number[];
  return counts.reduce((a, b) => a + b, 0) === shards && Math.max(...counts) - Math.min(...counts) <= 1;
}

/** CPU µs of each instance so far: its group's (which keeps what ended processes used), else its processes'. */
function instanceCpu(instances: BenchInstance[], groups: Groups): number[] {
  return instances.map((inst, i) => groups.list[i]?.usageMicros() ?? cpuMicrosOf(inst.processes()));
}

interface Watched {
  doneAt: number;
  /** Each instance's status when all records were stored. */
  statuses: InstanceStatus[];
  /** Kinesis: when the leases were first balanced, and how many records were stored by then. */
  balancedAt: { at: number; stored: number } | null;
  /** Each instance's CPU (µs) and stored records when it was first seen storing: its start is over. */
  started: Array<{ cpu: number; stored: number } | null>;
}

/** Polls the instances every POLL_MS until they stored `records` together (or the deadline passes). */
async function watchDrain(instances: BenchInstance[], groups: Groups, records: number, shards: number | null, deadline: number): Promise<Watched> {
  let balancedAt: Watched['balancedAt'] = null;
  const started: Watched['started'] = instances.map(() => null);
  for (;;) {
    const statuses = await Promise.all(instances.map((inst) => inst.status(INTEGRATION)));
    const at = now();
    const stored = statuses.reduce((a, s) => a + s.counters.stored, 0);
    if (balancedAt === null && shards !== null && balanced(statuses, shards)) balancedAt = { at, stored };
    if (stored >= records) return { doneAt: at, statuses, balancedAt, started };
    const cpu = instanceCpu(instances, groups);
    statuses.forEach((s, i) => { if (started[i] === null && s.counters.stored > 0) started[i] = { cpu: cpu[i] ?? 0, stored: s.counters.stored }; });
    if (at > deadline) {
      throw new Error(`${instances.length} instances did not store ${records} records in time: ${statuses.map((s, i) => `${instances[i]?.label} ${s.state} stored ${s.counters.stored}${s.lastError ? ` (${s.lastError.code}: ${s.lastError.message})` : ''}`).join('; ')}`);
    }
    await sleep(POLL_MS);
  }
}

/**
 * CPU per record once every instance was storing (its start, e.g. a sandbox process spawned for the
 * converter, left out): Σ CPU since each one's first store / Σ records it stored since; null if an
 * instance was never seen storing before the end.
 */
function steadyCpuPerRecord(watched: Watched, cpuEnd: number[]): number | null {
  let cpu = 0;
  let records = 0;
  for (const [i, s] of watched.statuses.entries()) {
    const first = watched.started[i];
    if (!first) return null;
    cpu += (cpuEnd[i] ?? 0) - first.cpu;
    records += s.counters.stored - first.stored;
  }
  return records > 0 ? cpu / records : null;
}

export async function cloudbridgeRound(drain: SourceDrain, source: ScaleSource, k: number, setup: RoundSetup): Promise<ScaleOutRow> {
  const db = await freshDatabase(roundDatabaseName());
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-scale-'));
  const groups = makeGroups(setup, `${source.type}-cb${k}`, k);
  const instances: BenchInstance[] = [];
  try {
    const config = cloudbridgeConfig(source.type, drain.connectorConfig, db.url);
    // One after the other: the first creates the schema, the others find it.
    const profileDir = setup.cpuProfileDir === null ? null : join(setup.cpuProfileDir, `${source.type}-${k}`);
    if (profileDir !== null) mkdirSync(profileDir, { recursive: true });
    for (let i = 0; i < k; i++) instances.push(await startInstance(`cb${i + 1}`, dir, config, groups.list[i] ?? null, profileDir));
    const around = measureAround(drain.peerPid);
    const cpuBefore = instanceCpu(instances, groups);
    const enabledAt = now();
    const windowFrom = monotonicMicros();
    await Promise.all(instances.map((inst) => inst.enable(INTEGRATION)));
    const watched = await watchDrain(instances, groups, source.records, source.type === 'aws-kinesis' ? setup.shards : null, enabledAt + Math.max(300_000, source.records * 20));
    const { doneAt, balancedAt, statuses } = watched;
    if (profileDir !== null) writeFileSync(join(profileDir, PROFILE_WINDOW), JSON.stringify({ fromMicros: windowFrom, toMicros: monotonicMicros() }));
    const seconds = (doneAt - enabledAt) / 1000;
    const cpuEnd = instanceCpu(instances, groups);
    const used = cpuEnd.map((c, i) => c - (cpuBefore[i] ?? 0));
    const instanceCores = used.map((u) => u / 1e6 / seconds);
    const env = around(instanceCores);
    const outside = instances.flatMap((inst) => inst.outsideGroup().map((p) => `${inst.label}: pid ${p}`));
    if (setup.cores !== null && outside.length) throw new Error(`processes outside their instance's CPU group: ${outside.join(', ')}`);
    const grouped = setup.cores === null ? null : instances.reduce((a, inst) => a + inst.processes().length, 0);
    // Anything stored twice would show now, however late.
    await sleep(1000);
    const final = await Promise.all(instances.map((inst) => inst.status(INTEGRATION)));
    const points = { stored: await db.countTelemetry(), expected: source.records * POINTS_PER_RECORD };
    if (points.stored !== points.expected) throw new Error(`${k} instances stored ${points.stored} telemetry points for ${source.records} records, expected ${points.expected}`);
    return {
      source: source.type, consumer: 'cloudbridge', instances: k, records: source.records, seconds, rate: source.records / seconds, speedup: null, cpuBoundSpeedup: null,
      perInstance: statuses.map((s) => s.counters.stored / seconds), instanceCores,
      cpuMicrosPerRecord: used.reduce((a, b) => a + b, 0) / source.records,
      steadyCpuMicrosPerRecord: steadyCpuPerRecord(watched, cpuEnd),
      ...env,
      balancedAfterSeconds: balancedAt === null ? null : (balancedAt.at - enabledAt) / 1000,
      balancedRate: balancedAt === null || doneAt <= balancedAt.at ? null : (source.records - balancedAt.stored) / ((doneAt - balancedAt.at) / 1000),
      points, duplicates: final.reduce((a, s) => a + s.counters.duplicates, 0), groupedProcesses: grouped,
      received: final.reduce((a, s) => a + s.counters.received, 0),
      leasesStolen: source.type === 'aws-kinesis' ? final.reduce((a, s) => a + Number((s.details?.leases as { stolen?: number } | undefined)?.stolen ?? 0), 0) : null,
    };
  } finally {
    await Promise.all(instances.map((inst) => inst.stop()));
    await groups.remove();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * CPU quotas for benchmark processes: one cgroup per process, limited to a share of a core (a
 * quota of 50 ms per 100 ms period is half a core). Processes a member spawns later (Cloudbridge's
 * converter sandboxes) are born in its cgroup and share the quota.
 *
 *   const quotas = detectCpuQuotas();              // cgroup v2, else v1, else none (and why)
 *   const group = createCpuGroup(quotas, 'sqs-1', 0.5);
 *   group.add(child.pid);                          // right after spawn, before it does work
 *   …
 *   group.remove();                                // once its processes have ended
 *
 * cgroup v2 is used where its `cpu` controller is available (enabled in the root's
 * cgroup.subtree_control if needed): cpu.max, usage from cpu.stat. On a hybrid host whose `cpu`
 * controller is bound to a v1 hierarchy (it cannot be on both), cgroup v1: cpu.cfs_quota_us /
 * cpu.cfs_period_us, usage from cpuacct.usage (where cpuacct is mounted). Needs root; without it
 * `kind` is null and `reason` says why.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type CpuQuotaKind = 'cgroup2' | 'cgroup1';

export interface CpuQuotas {
  /** null: no quota can be set here (see reason). */
  kind: CpuQuotaKind | null;
  /** What is used ("cgroup v2 at /sys/fs/cgroup, cpu.max") or why nothing is. */
  reason: string;
  /** Where the groups are created: the v2 mount, or the v1 `cpu` mount. */
  cpuRoot: string | null;
  /** cgroup v1 only: the `cpuacct` mount (usage), when separate from `cpu`; null if the same or absent. */
  cpuacctRoot: string | null;
}

export interface CpuGroup {
  readonly name: string;
  /** The group's directory name (`cloudbridge-bench-<creator pid>-<name>`), as /proc/<pid>/cgroup shows it. */
  readonly id: string;
  /** The quota in cores (0.5 = half a core). */
  readonly cores: number;
  /** Moves a process (and the children it spawns from now on) into the group. */
  add(pid: number): void;
  /** The processes in the group now. */
  pids(): number[];
  /** CPU time the group's processes used so far, in µs; null where it cannot be read. */
  usageMicros(): number | null;
  /** Removes the group (retrying while its last processes exit); true once it is gone. */
  remove(): Promise<boolean>;
}

const PERIOD_US = 100_000;

interface Mount { dir: string; type: string; options: string[] }

function mounts(): Mount[] {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').map((line) => line.split(' ')).filter((f) => f.length >= 4)
    .map((f) => ({ dir: (f[1] as string).replace(/\\040/g, ' '), type: f[2] as string, options: (f[3] as string).split(',') }));
}

function words(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** The v2 mount if its `cpu` controller can be delegated to child groups (enabling it where allowed). */
function cgroup2(all: Mount[]): { root: string } | { why: string } {
  const v2 = all.find((m) => m.type === 'cgroup2');
  if (!v2) return { why: 'no cgroup v2 mount' };
  if (!words(join(v2.dir, 'cgroup.controllers')).includes('cpu')) return { why: `cgroup v2 at ${v2.dir} has no cpu controller (bound to a v1 hierarchy)` };
  if (!words(join(v2.dir, 'cgroup.subtree_control')).includes('cpu')) {
    try {
      writeFileSync(join(v2.dir, 'cgroup.subtree_control'), '+cpu');
    } catch (err) {
      return { why: `cannot enable the cpu controller in ${v2.dir}/cgroup.subtree_control (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
    }
  }
  return { root: v2.dir };
}

export function detectCpuQuotas(): CpuQuotas {
  let all: Mount[];
  try {
    all = mounts();
  } catch {
    return { kind: null, reason: 'no /proc/self/mounts (not Linux)', cpuRoot: null, cpuacctRoot: null };
  }
  const v2 = cgroup2(all);
  const cpu = all.find((m) => m.type === 'cgroup' && m.options.includes('cpu'));
  const writable = (dir: string): string | null => {
    const probe = join(dir, `cloudbridge-probe-${process.pid}`);
    try {
      mkdirSync(probe);
      rmdirSync(probe);
      return null;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? String(err);
    }
  };
  if ('root' in v2) {
    const denied = writable(v2.root);
    if (denied === null) return { kind: 'cgroup2', reason: `cgroup v2 at ${v2.root}, cpu.max`, cpuRoot: v2.root, cpuacctRoot: null };
    return { kind: null, reason: `cannot create a cgroup in ${v2.root} (${denied}); run as root`, cpuRoot: null, cpuacctRoot: null };
  }
  if (!cpu) return { kind: null, reason: `${v2.why}, and no cgroup v1 cpu hierarchy`, cpuRoot: null, cpuacctRoot: null };
  const denied = writable(cpu.dir);
  if (denied !== null) return { kind: null, reason: `${v2.why}; cannot create a cgroup in ${cpu.dir} (${denied}); run as root`, cpuRoot: null, cpuacctRoot: null };
  const acct = cpu.options.includes('cpuacct') ? null : all.find((m) => m.type === 'cgroup' && m.options.includes('cpuacct'))?.dir ?? null;
  return { kind: 'cgroup1', reason: `${v2.why}: cgroup v1 at ${cpu.dir}, cpu.cfs_quota_us`, cpuRoot: cpu.dir, cpuacctRoot: acct };
}

/** `key value` lines of a cpu.stat file as numbers. */
function stat(file: string): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [k, v] = line.split(' ');
      if (k && v !== undefined) out.set(k, Number(v));
    }
  } catch {
    // Removed meanwhile.
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Groups are named `cloudbridge-bench-<pid of the creator>-<name>`. */
const PREFIX = 'cloudbridge-bench-';

export function createCpuGroup(quotas: CpuQuotas, name: string, cores: number): CpuGroup {
  const { kind, cpuRoot } = quotas;
  if (kind === null || cpuRoot === null) throw new Error(`no CPU quota possible: ${quotas.reason}`);
  if (!(cores > 0)) throw new Error(`cores must be above 0, got ${cores}`);
  const dirName = `${PREFIX}${process.pid}-${name}`;
  const dirs = [join(cpuRoot, dirName), ...(quotas.cpuacctRoot ? [join(quotas.cpuacctRoot, dirName)] : [])];
  for (const dir of dirs) mkdirSync(dir);
  const [cpuDir] = dirs as [string, ...string[]];
  const quota = Math.round(cores * PERIOD_US);
  if (kind === 'cgroup2') {
    writeFileSync(join(cpuDir, 'cpu.max'), `${quota} ${PERIOD_US}`);
  } else {
    writeFileSync(join(cpuDir, 'cpu.cfs_period_us'), `${PERIOD_US}`);
    writeFileSync(join(cpuDir, 'cpu.cfs_quota_us'), `${quota}`);
  }
  const acctDir = kind === 'cgroup1' ? dirs[dirs.length - 1] as string : null;
  return {
    name, id: dirName, cores,
    add(pid) {
      for (const dir of dirs) appendFileSync(join(dir, 'cgroup.procs'), `${pid}\n`);
    },
    pids() {
      return words(join(cpuDir, 'cgroup.procs')).map(Number);
    },
    usageMicros() {
      if (kind === 'cgroup2') return stat(join(cpuDir, 'cpu.stat')).get('usage_usec') ?? null;
      const ns = words(join(acctDir as string, 'cpuacct.usage'))[0];
      return ns === undefined ? null : Number(ns) / 1000;
    },
    async remove() {
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          for (const dir of dirs) if (existsSync(dir)) rmdirSync(dir);
          return true;
        } catch {
          await sleep(100);
        }
      }
      return false;
    },
  };
}

/**
 * Removes the empty groups an earlier run left behind (it was killed before it could): those of
 * creators that are no longer running. Returns how many it removed.
 */
export function removeStaleCpuGroups(quotas: CpuQuotas): number {
  let removed = 0;
  for (const root of [quotas.cpuRoot, quotas.cpuacctRoot]) {
    if (root === null) continue;
    for (const entry of readdirSync(root)) {
      const creator = new RegExp(`^${PREFIX}(\\d+)-`).exec(entry)?.[1];
      if (creator === undefined || existsSync(`/proc/${creator}`)) continue;
      try {
        rmdirSync(join(root, entry));
        removed++;
      } catch {
        // Still has processes: left alone.
      }
    }
  }
  return removed;
}

/**
 * What the scale-out bench reads from Linux's /proc: process trees, the cgroup a process is in,
 * CPU time of processes and of the whole machine. Every reader tolerates processes ending meanwhile.
 */
import { readdirSync, readFileSync } from 'node:fs';

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): [0] is the state. */
function statFields(pid: number): string[] | null {
  const text = read(`/proc/${pid}/stat`);
  if (text === null) return null;
  return text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
}

function allPids(): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
}

/** The processes below `pid` (children, their children, …), now. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allPids()) {
    const ppid = Number(statFields(p)?.[1]);
    if (!Number.isFinite(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), p]);
  }
  const out: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

/** The lines of /proc/<pid>/cgroup ("4:cpu:/group", "0::/group"); [] once the process is gone. */
export function cgroupsOf(pid: number): string[] {
  return (read(`/proc/${pid}/cgroup`) ?? '').split('\n').filter(Boolean);
}

/** The command line of a process, arguments joined by spaces; '' once it is gone. */
export function commandLine(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
}

/** Processes whose executable name (comm) is `name`, e.g. "postgres". */
export function pidsNamed(name: string): number[] {
  return allPids().filter((p) => read(`/proc/${p}/comm`)?.trim() === name);
}

/** CPU time a process has used so far (user + system), in µs; 0 once it is gone. */
export function processCpuMicros(pid: number): number {
  // schedstat's first field is the time on a CPU in ns, free of the clock-tick unit of stat.
  const ns = read(`/proc/${pid}/schedstat`)?.split(' ')[0];
  if (ns !== undefined && ns !== '') return Number(ns) / 1000;
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) * 10_000 : 0;
}

/** The sum of processCpuMicros over `pids`. */
export function cpuMicrosOf(pids: number[]): number {
  return pids.reduce((sum, p) => sum + processCpuMicros(p), 0);
}

export interface MachineCpu {
  /** Time of all CPUs, busy and idle (clock ticks). */
  total: number;
  /** Idle and I/O-wait time (clock ticks). */
  idle: number;
}

/** The machine's CPU time counters now (the first line of /proc/stat). */
export function machineCpu(): MachineCpu {
  const f = (read('/proc/stat') ?? '').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, idle: (f[3] ?? 0) + (f[4] ?? 0) };
}

/** Share of all CPUs busy between two readings, 0–1. */
export function busyBetween(a: MachineCpu, b: MachineCpu): number {
  const total = b.total - a.total;
  return total > 0 ? 1 - (b.idle - a.idle) / total : 0;
}

/**
 * CPU time and peak memory of other processes, read from Linux's /proc: what a benchmark needs to
 * measure a consumer in its own process (and the converter sandbox processes it forks).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

interface ProcStat { ppid: number; cpuTicks: number }

/** ppid and utime + stime + cutime + cstime (children that ended and were waited for) of one process. */
function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it start at the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const num = (field: number): number => Number(fields[field - 3]);
  return { ppid: num(4), cpuTicks: num(14) + num(15) + num(16) + num(17) };
}

/** Every live process below `pid` (children, their children, ...). */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parentOf.set(Number(entry), stat.ppid);
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parentOf].filter(([, ppid]) => frontier.includes(ppid)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/**
 * CPU time (user + system) in ms used so far by `pid` and every process below it, including those
 * that already ended and were waited for. Differences of two readings give the CPU of a phase.
 */
export function treeCpuMs(pid: number): number {
  return [pid, ...descendants(pid)].reduce((ms, p) => ms + processCpuMs(p), 0);
}

/** CPU time (user + system, all threads) in ms used so far by `pid` itself and its ended children; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  return ((readStat(pid)?.cpuTicks ?? 0) / clockTicks()) * 1000;
}

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** Peak resident set (VmHWM) of one process in MB, null when it is gone. */
export const peakRssMb = (pid: number): number | null => statusMb(pid, 'VmHWM');

/** Resident set now (VmRSS) of one process in MB, null when it is gone. */
export const rssMb = (pid: number): number | null => statusMb(pid, 'VmRSS');

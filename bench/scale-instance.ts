/**
 * One Cloudbridge instance of the scale-out bench: `node bin/cloudbridge.js start --config <yaml>`
 * in a child process with its own API port, moved into its CPU group right after the spawn (before
 * it loads anything, so the converter sandboxes it forks later are born in the group too), then
 * driven through its REST API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../test/peers/free-port.ts';
import type { CpuGroup } from './scale-cgroup.ts';
import { cgroupsOf, descendants } from './scale-proc.ts';

const TOKEN = 'cb_bench_scale_out_admin_token';
const MASTER_KEY = 'bench-scale-out-master-key';
/** Kept of each instance's output, for the error when it fails. */
const OUTPUT_TAIL = 16_384;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

export interface InstanceStatus {
  state: string;
  counters: { received: number; stored: number; duplicates: number; errors: number; deadLettered: number };
  lastError: { code: string; message: string } | null;
  details?: Record<string, unknown>;
}

export interface BenchInstance {
  readonly label: string;
  readonly pid: number;
  readonly url: string;
  /** POST /integrations/<name>/enable. */
  enable(integration: string): Promise<void>;
  status(integration: string): Promise<InstanceStatus>;
  /** The instance's processes (itself and the sandboxes it forked) that are NOT in its CPU group. */
  outsideGroup(): number[];
  /** Its processes: itself and its descendants. */
  processes(): number[];
  /** The last lines it printed. */
  output(): string;
  /** SIGTERM (graceful stop), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * `config` is the YAML file's content except server and logging (a port of its own, warnings
 * only). With `profileDir`, the instance writes a V8 CPU profile there when it stops.
 */
export async function startInstance(label: string, dir: string, config: Record<string, unknown>, group: CpuGroup | null, profileDir: string | null = null): Promise<BenchInstance> {
  const port = await freePort();
  const file = join(dir, `${label}.yaml`);
  writeFileSync(file, stringify({ ...config, server: { port, host: '127.0.0.1' }, logging: { level: 'warn' } }));
  const bin = new URL('../bin/cloudbridge.js', import.meta.url).pathname;
  const profile = profileDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${label}.cpuprofile`];
  const proc = spawn(process.execPath, [...profile, bin, 'start', '--config', file], {
    env: { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TOKEN, CLOUDBRIDGE_MASTER_KEY: MASTER_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`instance ${label} could not be started`);
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  try {
    group?.add(pid);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  let out = '';
  const keep = (d: Buffer): void => { out = (out + d.toString()).slice(-OUTPUT_TAIL); };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(`${url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(method === 'POST' ? { body: '{}' } : {}) });
    const text = await res.text();
    if (!res.ok) throw new Error(`instance ${label}: ${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const processes = (): number[] => [pid, ...descendants(pid)];
  const instance: BenchInstance = {
    label, pid, url,
    async enable(integration) {
      await api('POST', `/integrations/${encodeURIComponent(integration)}/enable`);
    },
    status: (integration) => api<InstanceStatus>('GET', `/integrations/${encodeURIComponent(integration)}/status`),
    outsideGroup() {
      if (!group) return [];
      const suffix = `/${group.id}`;
      return processes().filter((p) => {
        const lines = cgroupsOf(p);
        return lines.length > 0 && !lines.some((l) => l.endsWith(suffix) && /(^0::|[:,]cpu[,:])/.test(l));
      });
    },
    processes,
    output: () => out,
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  // Under a quota of half a core, loading the sources and migrating the database takes seconds.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`instance ${label} exited with ${proc.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return instance;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await instance.stop(0);
      throw new Error(`instance ${label} did not answer /health within 120 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

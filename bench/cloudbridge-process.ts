/**
 * Cloudbridge as a user runs it, measured from outside: `cloudbridge start --config <yaml>` in a
 * child process (test/e2e/harness.ts's spawnCloudbridge: SQLite synchronous=FULL in a temp dir,
 * logging at warn), driven and watched through its REST API; CPU and memory from /proc.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.ts';
import { spawnCloudbridge, type ChildApp } from '../test/e2e/harness.ts';
import { BENCH_DECODER } from './messages.ts';
import { descendants, peakRssMb, processCpuMs, treeCpuMs } from './proc-stats.ts';

interface StatusView { state: string; counters: { stored: number } }

export interface CloudbridgeProcess {
  readonly pid: number;
  enable(integration: string): Promise<void>;
  /**
   * Polls the integration's status (GET /integrations/:name/status, every `everyMs`) until its
   * `stored` counter (since the integration last started) reaches `target`; resolves with the
   * performance.now() of the answer that showed it.
   */
  storedReached(integration: string, target: number, everyMs?: number): Promise<number>;
  /** CPU ms (user + system) so far of Cloudbridge and every process below it (the converter sandboxes), and of the main process alone. */
  cpuMs(): { total: number; main: number };
  /** VmHWM of the Cloudbridge process, and of each process below it. */
  peakRss(): { mainMb: number; sandboxesMb: number[] };
  /** SIGTERM (graceful: drains and closes), then the number of telemetry points in its store; removes its dir. */
  stopAndCount(): Promise<number>;
}

const PATIENCE_MS = 600_000;

/**
 * `env` is added to the process's environment (e.g. NODE_OPTIONS with V8 heap flags).
 * BENCH_SYNC=NORMAL runs its SQLite with synchronous=NORMAL instead of FULL.
 */
export async function startCloudbridgeProcess(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<CloudbridgeProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-proc-'));
  const sync = process.env.BENCH_SYNC;
  let child: ChildApp;
  try {
    child = await spawnCloudbridge(dir, { ...config, store: { sqlite: { path: join(dir, 'cloudbridge.db'), ...(sync ? { synchronous: sync } : {}) } } }, env);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const pid = child.proc.pid ?? NaN;
  const status = (name: string): Promise<StatusView> => child.api.get<StatusView>(`/integrations/${encodeURIComponent(name)}/status`);
  return {
    pid,
    enable: async (name) => { await child.api.post(`/integrations/${encodeURIComponent(name)}/enable`); },
    async storedReached(name, target, everyMs = 20) {
      const deadline = Date.now() + PATIENCE_MS;
      for (;;) {
        const s = await status(name);
        if (s.counters.stored >= target) return performance.now();
        if (Date.now() > deadline) throw new Error(`cloudbridge: ${target} stored not reached within ${PATIENCE_MS / 1000} s (state ${s.state}, stored ${s.counters.stored})\n${child.output()}`);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    },
    cpuMs: () => ({ total: treeCpuMs(pid), main: processCpuMs(pid) }),
    peakRss: () => ({ mainMb: peakRssMb(pid) ?? NaN, sandboxesMb: descendants(pid).map((p) => peakRssMb(p) ?? NaN) }),
    async stopAndCount() {
      try {
        await child.kill('SIGTERM');
        const store = await openStore({ sqlite: { path: join(dir, 'cloudbridge.db') } });
        try {
          return await store.countTelemetry();
        } finally {
          await store.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** What a drain of one Cloudbridge process measured. */
export interface ProcessDrain {
  /** Messages per second, from the enable call to the status showing all stored. */
  rate: number;
  /** CPU ms over the drain: Cloudbridge and its sandbox processes, and the main process alone. */
  cpuMs: { total: number; main: number };
  /** CPU of Cloudbridge and its sandboxes over the drain, in % of one core. */
  cpuPercent: number;
}

/** Enables `integration` (disabled until now, its source preloaded) and waits until n messages are stored. */
export async function timedDrain(cb: CloudbridgeProcess, integration: string, n: number): Promise<ProcessDrain> {
  const cpu0 = cb.cpuMs();
  const start = performance.now();
  await cb.enable(integration);
  const end = await cb.storedReached(integration, n);
  const cpu1 = cb.cpuMs();
  const cpuMs = { total: cpu1.total - cpu0.total, main: cpu1.main - cpu0.main };
  return { rate: (n / (end - start)) * 1000, cpuMs, cpuPercent: (cpuMs.total / (end - start)) * 100 };
}

/** Runs `body` on a new Cloudbridge process, stops it (also after a failure), and throws unless its store holds `points` telemetry points. */
export async function withCloudbridgeProcess<T>(config: Record<string, unknown>, env: NodeJS.ProcessEnv, points: number, body: (cb: CloudbridgeProcess) => Promise<T>): Promise<T> {
  const cb = await startCloudbridgeProcess(config, env);
  let result: T;
  try {
    result = await body(cb);
  } catch (err) {
    await cb.stopAndCount().catch(() => undefined);
    throw err;
  }
  const stored = await cb.stopAndCount();
  if (stored !== points) throw new Error(`cloudbridge stored ${stored} telemetry points, expected ${points}`);
  return result;
}

/** A config with the bench converter and one integration named `bench` of `type` (disabled unless `enabled`). */
export function benchConfig(type: string, config: Record<string, unknown>, enabled = false): Record<string, unknown> {
  return {
    converters: [{ name: 'dec', type: 'uplink', script: BENCH_DECODER }],
    integrations: [{ name: 'bench', type, enabled, uplinkConverter: 'dec', config }],
  };
}

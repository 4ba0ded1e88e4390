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

/** `env` is added to the process's environment (e.g. NODE_OPTIONS with V8 heap flags). */
export async function startCloudbridgeProcess(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<CloudbridgeProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-proc-'));
  let child: ChildApp;
  try {
    child = await spawnCloudbridge(dir, config, env);
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

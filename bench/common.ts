/** What the benchmarks share: an in-process app that counts commits (the message shape and decoder are in messages.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../src/app/app.ts';
import { parseConfigText } from '../src/app/config-file.ts';
import type { UplinkMessage } from '../src/core/model.ts';
import { sandboxPool } from '../src/converters/sandbox/host/sandbox-pool.ts';
import { peakRssMb } from './proc-stats.ts';

export { BENCH_DECODER, benchPayload, preloadMqtt } from './messages.ts';

/** Counts committed messages; `reached(n)` resolves once n messages in total are committed. */
export class CommitCounter {
  committed = 0;
  private waiters: Array<{ target: number; resolve: () => void }> = [];

  add(messages: UplinkMessage[]): void {
    this.committed += messages.length;
    const due = this.waiters.filter((w) => this.committed >= w.target);
    this.waiters = this.waiters.filter((w) => this.committed < w.target);
    for (const w of due) w.resolve();
  }

  reached(target: number): Promise<void> {
    if (this.committed >= target) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }
}

/**
 * Cloudbridge in-process on SQLite in `dir` (BENCH_SYNC=NORMAL switches from FULL), no HTTP
 * server, logs discarded; `observe` sees every committed batch.
 */
export async function startBenchApp(yaml: string, dir: string, observe: (messages: UplinkMessage[], committedAt: number) => void): Promise<App> {
  const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: 'bench-token', CLOUDBRIDGE_MASTER_KEY: 'bench' };
  const config = parseConfigText(yaml, env);
  config.store.sqlite = { path: join(dir, 'cb.db'), ...(process.env.BENCH_SYNC ? { synchronous: process.env.BENCH_SYNC as 'NORMAL' } : {}) };
  config.logging.level = 'warn';
  return startApp({ config, env, listen: false, logWrite: () => undefined, onCommitted: (_i, messages, at) => observe(messages, at) });
}

/**
 * Runs `body` against a bench app (see startBenchApp) in a fresh temp dir; closes the app and
 * removes the dir afterwards, whatever happens.
 */
export async function withBenchApp<T>(yaml: string, observe: (messages: UplinkMessage[], committedAt: number) => void, body: (app: App) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'));
  try {
    const app = await startBenchApp(yaml, dir, observe);
    try {
      return await body(app);
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Throws unless the store holds exactly `points` telemetry points (nothing lost, nothing doubled). */
export async function expectTelemetry(app: App, points: number): Promise<void> {
  const stored = await app.store.countTelemetry();
  if (stored !== points) throw new Error(`expected ${points} telemetry points, found ${stored}`);
}

/**
 * Peak RSS of the sandbox processes that are running now (converters run there, not in the bench
 * process), e.g. "2 × 61 MB"; null where /proc cannot tell (not Linux, none running).
 */
export function sandboxPeakRss(): string | null {
  const pool = sandboxPool();
  const peaks = [...pool.general, pool.isolation].flatMap((host) => (host.pid === undefined ? [] : [peakRssMb(host.pid)]));
  const known = peaks.filter((mb): mb is number => mb !== null);
  return known.length === 0 ? null : known.map((mb) => `${mb.toFixed(0)} MB`).join(' + ');
}

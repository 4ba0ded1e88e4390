/**
 * What the benchmarks share: the message shape, the decoder, the MQTT preload, an in-process app
 * that counts commits, and for the polled AWS sources the timed drains and their rounds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { startApp, type App } from '../src/app/app.ts';
import { parseConfigText } from '../src/app/config-file.ts';
import type { UplinkMessage } from '../src/core/model.ts';
import { sandboxPool } from '../src/converters/sandbox/host/sandbox-pool.ts';

/** A ThingsBoard-style decoder: 3 telemetry points with the payload's ts and 1 attribute per message. */
export const BENCH_DECODER = `var d = decodeToJson(payload);
return { deviceName: d.device, deviceType: 'thermostat',
  attributes: { model: d.model },
  telemetry: { ts: d.ts, values: { temperature: d.temperature, humidity: d.humidity, seq: d.seq } } };`;

/** A ~190-byte JSON message from one of 100 devices. */
export function benchPayload(i: number, ts: number): string {
  return JSON.stringify({
    device: `sensor-${i % 100}`, seq: i, ts, model: 'TH-1000 rev B', firmware: '1.2.3-build.4567',
    temperature: 20 + (i % 100) / 10, humidity: 40 + (i % 50), battery: 97, location: 'Building 7, floor 3, room 12',
  });
}

/**
 * Publishes messages 0..n-1 (QoS 1, ts 1_700_000_000_000 + i) to `${topicPrefix}/${i % 100}` on a
 * connected client, at most 2000 awaiting their PUBACK at a time. The caller owns the client.
 */
export async function preloadMqtt(client: MqttClient, topicPrefix: string, n: number): Promise<void> {
  const window = 2000;
  let batch: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i++) {
    batch.push(client.publishAsync(`${topicPrefix}/${i % 100}`, benchPayload(i, 1_700_000_000_000 + i), { qos: 1 }));
    if (batch.length >= window) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
}

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

/** How fast one drain of a preloaded source went. */
export interface DrainResult {
  /** Messages (records) per second. */
  rate: number;
  /** CPU time of this process during the drain, in % of one core. */
  cpuPercent: number;
}

/** Starts timing a drain: wall clock and this process's CPU time from now until `result(n)`. */
export function startDrainTimer(): { result(n: number): DrainResult } {
  const start = performance.now();
  const c0 = process.cpuUsage();
  return {
    result(n) {
      const used = process.cpuUsage(c0);
      const ms = performance.now() - start;
      return { rate: (n / ms) * 1000, cpuPercent: (used.user + used.system) / 10 / ms };
    },
  };
}

/**
 * Cloudbridge draining n preloaded messages with one integration `bench` of `type` and `config`
 * (BENCH_DECODER, 3 points each), timed from enabling the integration to the commit of the nth.
 */
export async function cloudbridgeDrain(type: string, config: Record<string, unknown>, n: number): Promise<DrainResult> {
  const counter = new CommitCounter();
  const yaml = `
converters: [{ name: dec, type: uplink, script: ${JSON.stringify(BENCH_DECODER)} }]
integrations:
  - name: bench
    type: ${type}
    enabled: false
    uplinkConverter: dec
    config: ${JSON.stringify(config)}
`;
  return withBenchApp(yaml, (messages) => counter.add(messages), async (app) => {
    const drained = counter.reached(n);
    const timer = startDrainTimer();
    await app.configService.setEnabled('bench', true);
    await drained;
    const result = timer.result(n);
    await expectTelemetry(app, n * 3);
    return result;
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * `rounds` rounds of a raw SDK loop against Cloudbridge: prints each round (rates in `unit`, CPU,
 * ratio) and then the medians, after `labels.raw` and `labels.cb`.
 */
export async function drainRounds(
  rounds: number, unit: string, labels: { raw: string; cb: string },
  round: (round: number) => Promise<{ raw: DrainResult; cb: DrainResult }>,
): Promise<void> {
  const line = (r: DrainResult): string => `${r.rate.toFixed(0).padStart(6)} ${unit} (bench process at ${r.cpuPercent.toFixed(0)} % CPU)`;
  const raws: number[] = [];
  const cbs: number[] = [];
  for (let i = 1; i <= rounds; i++) {
    const { raw, cb } = await round(i);
    raws.push(raw.rate);
    cbs.push(cb.rate);
    console.log(`  round ${i}: raw SDK loop ${line(raw)}, Cloudbridge ${line(cb)}, ratio ${(cb.rate / raw.rate).toFixed(2)}`);
  }
  const raw = median(raws);
  const cb = median(cbs);
  console.log(`  ${labels.raw}${raw.toFixed(0)} ${unit}`);
  console.log(`  ${labels.cb}${cb.toFixed(0)} ${unit}`);
  console.log(`  ratio Cloudbridge / raw SDK loop (medians): ${(cb / raw).toFixed(2)}`);
}

/**
 * Peak RSS of the sandbox processes that are running now (converters run there, not in the bench
 * process), e.g. "2 × 61 MB"; null where /proc cannot tell (not Linux, none running).
 */
export function sandboxPeakRss(): string | null {
  const pool = sandboxPool();
  const peaks: number[] = [];
  for (const host of [...pool.general, pool.isolation]) {
    if (host.pid === undefined) continue;
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${host.pid}/status`, 'utf8'))?.[1];
      if (kb) peaks.push(Number(kb) / 1024);
    } catch {
      // The process ended meanwhile.
    }
  }
  return peaks.length === 0 ? null : peaks.map((mb) => `${mb.toFixed(0)} MB`).join(' + ');
}

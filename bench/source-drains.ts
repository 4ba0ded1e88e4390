/**
 * Drains of a preloaded, polled source (SQS, Kinesis): a raw SDK loop timed in the bench process,
 * Cloudbridge as `cloudbridge start` in its own process, and rounds of both with their medians.
 */
import { benchConfig, timedDrain, withCloudbridgeProcess } from './cloudbridge-process.ts';
import type { DrainPair } from './report.ts';
import { median } from './stats.ts';

/** How fast one drain of a preloaded source went. */
export interface DrainResult {
  /** Messages (records) per second. */
  rate: number;
  /** CPU time of the consumer during the drain, in % of one core: the bench process for a raw loop, Cloudbridge and its sandbox processes. */
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
 * (BENCH_DECODER, 3 points each), timed from enabling the integration to the status showing the
 * nth stored; throws unless its store then holds every point once.
 */
export async function cloudbridgeDrain(type: string, config: Record<string, unknown>, n: number): Promise<DrainResult> {
  const drain = await withCloudbridgeProcess(benchConfig(type, config), {}, n * 3, (cb) => timedDrain(cb, 'bench', n));
  return { rate: drain.rate, cpuPercent: drain.cpuPercent };
}

/**
 * `rounds` rounds of a raw SDK loop against Cloudbridge: prints each round (rates in `unit`, CPU,
 * ratio) and then the medians, after `labels.raw` and `labels.cb`; returns the medians.
 */
export async function drainRounds(
  rounds: number, unit: string, labels: { raw: string; cb: string },
  round: (round: number) => Promise<{ raw: DrainResult; cb: DrainResult }>,
): Promise<DrainPair> {
  const line = (r: DrainResult): string => `${r.rate.toFixed(0).padStart(6)} ${unit} (its processes at ${r.cpuPercent.toFixed(0)} % of a core)`;
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
  return { raw, cloudbridge: cb };
}

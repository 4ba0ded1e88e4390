/**
 * Raw SDK consumers of the scale-out bench (bench/scale-raw-consumer.ts), one process each, each in
 * its own CPU group: all are started and ready before any begins, then all begin at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { CpuGroup } from './scale-cgroup.ts';

export type RawJob =
  | { kind: 'sqs'; endpoint: string; region: string; queueUrl: string; receivers: number }
  | { kind: 'kinesis'; endpoint: string; stream: string; shards: Array<{ shardId: string; records: number }> };

export interface RawResult {
  received: number;
  /** Epoch ms of the last record received (and, for SQS, deleted). */
  lastAt: number;
  /** CPU time the consumer used from the start signal to its end, µs. */
  cpuMicros: number;
}

export interface RawRun {
  /** Epoch ms at which every consumer was told to begin. */
  goAt: number;
  /** One per job, in order. */
  results: RawResult[];
}

const CONSUMER = new URL('./scale-raw-consumer.ts', import.meta.url).pathname;
const now = (): number => performance.timeOrigin + performance.now();

interface Consumer { proc: ChildProcess; ready: Promise<void>; result: Promise<RawResult> }

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

function startConsumer(job: RawJob, group: CpuGroup | null): Consumer {
  const proc = spawn(process.execPath, [CONSUMER, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  if (proc.pid !== undefined) group?.add(proc.pid);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-8192); });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  /** The rest of the first complete output line starting with `prefix`. */
  const line = (prefix: string): Promise<string> => new Promise((resolve, reject) => {
    const onData = (): void => {
      const found = out.split('\n').slice(0, -1).find((l) => l.startsWith(prefix));
      if (found === undefined) return;
      proc.stdout?.off('data', onData);
      resolve(found.slice(prefix.length));
    };
    proc.stdout?.on('data', onData);
    void exited.then((code) => reject(new Error(`raw consumer exited with ${code} before "${prefix.trim()}":\n${err}`)));
  });
  const ready = line('READY').then(() => undefined);
  const result = line('RESULT ').then((json) => JSON.parse(json) as RawResult);
  // Awaited only once all are ready: an early exit is reported through `ready`.
  result.catch(() => undefined);
  return { proc, ready, result };
}

/** Runs one consumer per job (job i in groups[i], null: no quota) and returns what each took, and when. */
export async function runRawConsumers(jobs: RawJob[], groups: Array<CpuGroup | null>): Promise<RawRun> {
  const consumers = jobs.map((job, i) => startConsumer(job, groups[i] ?? null));
  try {
    await Promise.all(consumers.map((c) => c.ready));
    const goAt = now();
    for (const c of consumers) c.proc.stdin?.write('go\n');
    const results = await Promise.all(consumers.map((c) => c.result));
    return { goAt, results };
  } finally {
    await Promise.all(consumers.map((c) => new Promise<void>((resolve) => {
      if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
      c.proc.once('exit', () => resolve());
      c.proc.kill('SIGKILL');
    })));
  }
}

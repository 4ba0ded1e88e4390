/**
 * The sandbox host processes of this Cloudbridge process: a few general hosts that hold every
 * converter (each converter lives on one, placed round-robin) and one isolation host that runs
 * suspects alone, one call at a time, after a general host died with their calls in flight. A
 * crash there can only be the suspect's own doing, so attribution is exact and no healthy
 * converter shares a process with a message that is being tried again.
 *
 * `CLOUDBRIDGE_SANDBOX_PROCESSES` sets the number of general hosts (default 2).
 */
import { CloudbridgeError } from '../../../core/errors.ts';
import { HostProcess } from './host-process.ts';

export const DEFAULT_SANDBOX_PROCESSES = 2;
const MAX_SANDBOX_PROCESSES = 64;

export function sandboxProcessesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.CLOUDBRIDGE_SANDBOX_PROCESSES?.trim();
  if (!text) return DEFAULT_SANDBOX_PROCESSES;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SANDBOX_PROCESSES) {
    throw new CloudbridgeError('CONFIG_INVALID', `CLOUDBRIDGE_SANDBOX_PROCESSES must be an integer from 1 to ${MAX_SANDBOX_PROCESSES}, not "${text}"`, { field: 'CLOUDBRIDGE_SANDBOX_PROCESSES' });
  }
  return n;
}

export class SandboxPool {
  readonly general: HostProcess[];
  readonly isolation: HostProcess;
  private nextInstance = 1;
  private nextPlacement = 0;
  private isolationQueue: Promise<unknown> = Promise.resolve();

  constructor(processes: number) {
    this.general = Array.from({ length: processes }, (_, i) => new HostProcess(`sandbox-${i + 1}`));
    this.isolation = new HostProcess('sandbox-isolation');
  }

  /** A new instance id, unique in this pool (so a host's fatal report names it unambiguously). */
  instanceId(): number {
    return this.nextInstance++;
  }

  /** The general host a new converter lives on. */
  place(): HostProcess {
    const host = this.general[this.nextPlacement % this.general.length];
    this.nextPlacement++;
    if (!host) throw new CloudbridgeError('INTERNAL', 'the sandbox pool has no host');
    return host;
  }

  /** Runs `fn` with the isolation host to itself. */
  isolated<T>(fn: (host: HostProcess) => Promise<T>): Promise<T> {
    const run = this.isolationQueue.then(() => fn(this.isolation));
    this.isolationQueue = run.catch(() => undefined);
    return run;
  }

  /** How many host processes run now. */
  running(): number {
    return [...this.general, this.isolation].filter((h) => h.pid !== undefined).length;
  }

  /** How many host processes died since start (crashes, watchdog kills). */
  deaths(): number {
    return this.isolation.deaths + this.general.reduce((n, h) => n + h.deaths, 0);
  }

  close(): void {
    for (const h of [...this.general, this.isolation]) h.close();
  }
}

let shared: SandboxPool | null = null;

/** The pool every converter of this process uses, started on first use. */
export function sandboxPool(): SandboxPool {
  shared ??= new SandboxPool(sandboxProcessesFromEnv());
  return shared;
}

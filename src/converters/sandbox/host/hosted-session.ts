/**
 * A converter as the runners see it: compiled once in a sandbox host process, called with
 * batches. When the host dies with a call of this converter in flight, the call is settled, never
 * lost and never left to crash the host again:
 * - the host blamed another converter: the call runs again on the restarted host;
 * - this converter is a suspect (blamed, or the host died without a word): the call runs again on
 *   the isolation host, alone, first whole, then (if that dies too) one message at a time; a
 *   message that kills the isolation host when alone is the culprit and gets a `crash` (or, for a
 *   memory death, a `memory`) outcome instead of a result.
 */
import { CloudbridgeError } from '../../../core/errors.ts';
import type { ConverterLimits } from '../../../core/model.ts';
import type { SandboxKind } from '../../types.ts';
import { packPayloads } from '../pack-payloads.ts';
import type { SandboxProgram } from '../sandbox-types.ts';
import { HostCrashedError, type HostCall, type HostDeath, type HostProcess } from './host-process.ts';
import type { HostOutcome } from './protocol.ts';
import type { SandboxPool } from './sandbox-pool.ts';

/** One message's outcome: the script's result or failure text, or the limit it broke. */
export type RawOutcome = HostOutcome | { limit: 'crash'; message: string };

/** The outcome of a message that, alone, took its sandbox process down. */
export function deathOutcome(death: HostDeath, limits: ConverterLimits): Exclude<RawOutcome, string> {
  if (death.reason === 'oom' || death.reason === 'memory') {
    return { limit: 'memory', message: `exceeded its memory limit of ${limits.memoryMb} MB (${death.message}; the sandbox process was replaced)` };
  }
  if (death.reason === 'stuck') return { limit: 'crash', message: `hung its sandbox process (${death.message}; the process was replaced)` };
  return { limit: 'crash', message: `crashed its sandbox process (${death.message}; the process was replaced)` };
}

export class HostedSession {
  readonly kind: SandboxKind;
  private readonly pool: SandboxPool;
  private readonly program: SandboxProgram;
  private readonly limits: ConverterLimits;
  private readonly home: HostProcess;
  private readonly inst: number;
  /** The host generation the instance was created in, per host. */
  private readonly created = new Map<HostProcess, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Where the last call ran (its console lines are there). */
  private lastHost: HostProcess | null = null;

  private constructor(pool: SandboxPool, kind: SandboxKind, program: SandboxProgram, limits: ConverterLimits) {
    this.pool = pool;
    this.kind = kind;
    this.program = program;
    this.limits = limits;
    this.home = pool.place();
    this.inst = pool.instanceId();
  }

  /** Compiles the program; rejects with CONVERTER_COMPILE when the script does not load (or kills its sandbox while loading). */
  static async open(pool: SandboxPool, kind: SandboxKind, program: SandboxProgram, limits: ConverterLimits): Promise<HostedSession> {
    const session = new HostedSession(pool, kind, program, limits);
    try {
      await session.create(session.home);
    } catch (err) {
      if (!(err instanceof HostCrashedError)) throw err;
      try {
        await pool.isolated((iso) => session.create(iso));
      } catch (again) {
        if (!(again instanceof HostCrashedError)) throw again;
        throw new CloudbridgeError('CONVERTER_COMPILE', `the script took its sandbox process down while loading (${again.death.message})`);
      }
    }
    return session;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async create(host: HostProcess): Promise<void> {
    const generation = host.ensure();
    await host.request({ t: 'create', inst: this.inst, kind: this.kind, program: this.program, limits: this.limits });
    this.created.set(host, generation);
  }

  /** Sends a call for this converter to `host`, creating the instance there first if needed. */
  private async call(host: HostProcess, call: HostCall) {
    if (this.disposed) throw new CloudbridgeError('INTERNAL', 'the converter runner was disposed');
    if (this.created.get(host) !== host.ensure()) await this.create(host);
    this.lastHost = host;
    return host.request(call);
  }

  /** One outcome per payload, same order. Rejects only when the sandbox itself is broken. */
  batch(payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<RawOutcome[]> {
    return this.exclusive(async () => {
      if (payloads.length === 0) return [];
      try {
        return await this.runBatch(this.home, payloads, metas);
      } catch (err) {
        if (!(err instanceof HostCrashedError)) throw err;
        return this.recoverBatch(err.death, payloads, metas);
      }
    });
  }

  private async runBatch(host: HostProcess, payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<HostOutcome[]> {
    const { bytes, offsets } = packPayloads(payloads);
    const reply = await this.call(host, { t: 'batch', inst: this.inst, bytes, offsets, metas: metas as Array<Record<string, string>> });
    const out = reply.outcomes;
    if (!Array.isArray(out) || out.length !== payloads.length) {
      throw new CloudbridgeError('INTERNAL', `the sandbox returned ${Array.isArray(out) ? out.length : typeof out} results for ${payloads.length} messages`);
    }
    return out;
  }

  private blamedAlone(death: HostDeath): boolean {
    return death.blamed?.length === 1 && death.blamed[0] === this.inst;
  }

  private async recoverBatch(death: HostDeath, payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<RawOutcome[]> {
    if (death.blamed !== null && !death.blamed.includes(this.inst)) {
      try {
        return await this.runBatch(this.home, payloads, metas);
      } catch (err) {
        if (!(err instanceof HostCrashedError)) throw err;
        death = err.death;
      }
    }
    if (payloads.length === 1 && this.blamedAlone(death)) return [deathOutcome(death, this.limits)];
    return this.pool.isolated(async (iso) => {
      if (payloads.length > 1 && !this.blamedAlone(death)) {
        try {
          return await this.runBatch(iso, payloads, metas);
        } catch (err) {
          if (!(err instanceof HostCrashedError)) throw err;
        }
      }
      const out: RawOutcome[] = [];
      for (let i = 0; i < payloads.length; i++) {
        try {
          out.push(...await this.runBatch(iso, payloads.slice(i, i + 1), metas.slice(i, i + 1)));
        } catch (err) {
          if (!(err instanceof HostCrashedError)) throw err;
          out.push(deathOutcome(err.death, this.limits));
        }
      }
      return out;
    });
  }

  /** Runs the downlink entry once. */
  one(argsJson: string): Promise<RawOutcome> {
    const run = async (host: HostProcess): Promise<HostOutcome> => {
      const { outcome } = await this.call(host, { t: 'one', inst: this.inst, args: argsJson });
      if (outcome === undefined) throw new CloudbridgeError('INTERNAL', 'the sandbox returned no downlink result');
      return outcome;
    };
    return this.exclusive(async () => {
      try {
        return await run(this.home);
      } catch (err) {
        if (!(err instanceof HostCrashedError)) throw err;
        if (this.blamedAlone(err.death)) return deathOutcome(err.death, this.limits);
        return this.pool.isolated(async (iso) => {
          try {
            return await run(iso);
          } catch (again) {
            if (!(again instanceof HostCrashedError)) throw again;
            return deathOutcome(again.death, this.limits);
          }
        });
      }
    });
  }

  /** Console lines captured during the last call (none when that call's process died). */
  logs(): Promise<string[]> {
    return this.exclusive(async () => {
      const host = this.lastHost;
      if (!host || this.created.get(host) !== host.generation || host.pid === undefined) return [];
      try {
        return (await host.request({ t: 'logs', inst: this.inst })).logs ?? [];
      } catch {
        return [];
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const [host, generation] of this.created) {
      if (host.generation === generation && host.pid !== undefined) host.request({ t: 'dispose', inst: this.inst }).catch(() => undefined);
    }
    this.created.clear();
  }
}

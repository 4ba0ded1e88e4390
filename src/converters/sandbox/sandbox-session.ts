/**
 * Owns the sandbox instance of one converter inside a sandbox host process: serialises calls,
 * replaces the instance after a limit kill, splits batches by size, and isolates the culprit when
 * a batch hits a limit (the batch is re-run one message at a time, so only the message that
 * breaks the limit fails).
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { ConverterLimits } from '../../core/model.ts';
import type { SandboxKind } from '../types.ts';
import { SandboxLimitError } from './sandbox-types.ts';
import type { SandboxEngine, SandboxHooks, SandboxInstance, SandboxProgram } from './sandbox-types.ts';

/** An outcome string from the sandbox, or the limit one message broke. */
export type SessionOutcome = string | { limit: 'timeout' | 'memory'; message: string };

/** Payload bytes per call, as a share of the memory limit (the payloads are copied into the sandbox). */
const BYTES_PER_CALL_SHARE = 1 / 16;

export class SandboxSession {
  private readonly engine: SandboxEngine;
  private readonly program: SandboxProgram;
  private readonly limits: ConverterLimits;
  private readonly hooks: SandboxHooks;
  private instance: SandboxInstance | null;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** How many times the instance was rebuilt after a limit kill. */
  restarts = 0;

  private constructor(engine: SandboxEngine, program: SandboxProgram, limits: ConverterLimits, hooks: SandboxHooks, instance: SandboxInstance) {
    this.engine = engine;
    this.program = program;
    this.limits = limits;
    this.hooks = hooks;
    this.instance = instance;
  }

  /** Compiles the program; rejects with CONVERTER_COMPILE when the user's code does not load. */
  static async open(engine: SandboxEngine, program: SandboxProgram, limits: ConverterLimits, hooks: SandboxHooks = {}): Promise<SandboxSession> {
    return new SandboxSession(engine, program, limits, hooks, await engine.create(program, limits, hooks));
  }

  get kind(): SandboxKind {
    return this.engine.kind;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async current(): Promise<SandboxInstance> {
    if (this.disposed) throw new CloudbridgeError('INTERNAL', 'the converter runner was disposed');
    if (this.instance?.usable) return this.instance;
    this.instance?.dispose();
    this.instance = null;
    this.instance = await this.engine.create(this.program, this.limits, this.hooks);
    this.restarts++;
    return this.instance;
  }

  /** One outcome per payload, same order. Rejects only when the sandbox itself is broken. */
  batch(payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<SessionOutcome[]> {
    return this.exclusive(async () => {
      const maxBytes = this.limits.memoryMb * 1024 * 1024 * BYTES_PER_CALL_SHARE;
      const out: SessionOutcome[] = [];
      let start = 0;
      while (start < payloads.length) {
        let end = start;
        let bytes = 0;
        while (end < payloads.length && (end === start || bytes + (payloads[end]?.byteLength ?? 0) <= maxBytes)) {
          bytes += payloads[end]?.byteLength ?? 0;
          end++;
        }
        out.push(...await this.runChunk(payloads.slice(start, end), metas.slice(start, end)));
        start = end;
      }
      return out;
    });
  }

  private async runChunk(payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<SessionOutcome[]> {
    try {
      return await checked(await this.current(), payloads, metas);
    } catch (err) {
      if (!(err instanceof SandboxLimitError)) throw err;
      if (payloads.length === 1) return [{ limit: err.limit, message: err.message }];
    }
    const out: SessionOutcome[] = [];
    for (let i = 0; i < payloads.length; i++) {
      try {
        out.push(...await checked(await this.current(), payloads.slice(i, i + 1), metas.slice(i, i + 1)));
      } catch (err) {
        if (!(err instanceof SandboxLimitError)) throw err;
        out.push({ limit: err.limit, message: err.message });
      }
    }
    return out;
  }

  /** Runs the downlink entry once. */
  one(argsJson: string): Promise<SessionOutcome> {
    return this.exclusive(async () => {
      try {
        return await (await this.current()).one(argsJson);
      } catch (err) {
        if (!(err instanceof SandboxLimitError)) throw err;
        return { limit: err.limit, message: err.message };
      }
    });
  }

  /** Console lines captured during the last call. */
  logs(): Promise<string[]> {
    return this.exclusive(() => this.instance?.logs() ?? Promise.resolve([]));
  }

  dispose(): void {
    this.disposed = true;
    this.instance?.dispose();
    this.instance = null;
  }
}

async function checked(instance: SandboxInstance, payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<string[]> {
  const out = await instance.batch(payloads, metas);
  if (!Array.isArray(out) || out.length !== payloads.length) {
    throw new CloudbridgeError('INTERNAL', `the sandbox returned ${Array.isArray(out) ? out.length : typeof out} results for ${payloads.length} messages`);
  }
  return out;
}

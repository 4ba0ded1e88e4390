/**
 * The V8-isolate sandbox (isolated-vm): one isolate + context per converter, compiled once.
 * Arguments are copied in and results copied out (`applySync` + copy): the payloads travel as one
 * fresh ArrayBuffer, the results as one JSON string per message (the fastest mix measured, see
 * bench/converter-runtime.ts). Microtasks run inside the call, under the same timeout.
 */
import type IsolatedVM from 'isolated-vm';
import { CloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { ConverterLimits } from '../../core/model.ts';
import { packPayloads } from './pack-payloads.ts';
import { SandboxLimitError } from './sandbox-types.ts';
import type { SandboxEngine, SandboxInstance, SandboxProgram } from './sandbox-types.ts';
import { compileError } from './script-location.ts';

type Ivm = typeof IsolatedVM;
type Ref = IsolatedVM.Reference<(...args: unknown[]) => unknown>;

/** Loading the prelude and the JSONata library must never be cut short on a slow machine. */
const MIN_SETUP_TIMEOUT_MS = 5000;

export function isolatedVmEngine(ivm: Ivm, log?: Logger): SandboxEngine {
  return {
    kind: 'isolated-vm',
    create: (program, limits) => Promise.resolve(new IsolatedVmInstance(ivm, program, limits, log)),
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

class IsolatedVmInstance implements SandboxInstance {
  private readonly isolate: IsolatedVM.Isolate;
  private readonly limits: ConverterLimits;
  private readonly entries: { batch: Ref; collect: Ref; one: Ref; logs: Ref };
  private catastrophic = false;

  constructor(ivm: Ivm, program: SandboxProgram, limits: ConverterLimits, log?: Logger) {
    this.limits = limits;
    this.isolate = new ivm.Isolate({
      memoryLimit: limits.memoryMb,
      onCatastrophicError: (message) => {
        this.catastrophic = true;
        log?.error({ err: message }, 'converter isolate failed catastrophically');
      },
    });
    try {
      const context = this.isolate.createContextSync();
      const entries = this.load(context, program);
      const get = (name: string): Ref => entries.getSync(name, { reference: true }) as Ref;
      this.entries = { batch: get('batch'), collect: get('collect'), one: get('one'), logs: get('logs') };
      entries.release();
    } catch (err) {
      this.isolate.dispose();
      throw err;
    }
  }

  get usable(): boolean {
    return !this.catastrophic && !this.isolate.isDisposed;
  }

  private load(context: IsolatedVM.Context, program: SandboxProgram): IsolatedVM.Reference<Record<string, unknown>> {
    const timeout = Math.max(this.limits.timeoutMs, MIN_SETUP_TIMEOUT_MS);
    const last = program.scripts.length - 1;
    let entries: IsolatedVM.Reference<Record<string, unknown>> | undefined;
    program.scripts.forEach((s, i) => {
      const user = i === last;
      try {
        const script = this.isolate.compileScriptSync(s.code, { filename: s.filename });
        const result = script.runSync(context, { timeout, reference: true }) as IsolatedVM.Reference<Record<string, unknown>>;
        script.release();
        if (user) entries = result;
        else result.release();
      } catch (err) {
        if (!user) throw new CloudbridgeError('INTERNAL', `sandbox setup failed in ${s.filename}: ${errorText(err)}`, {}, { cause: err });
        if (this.isolate.isDisposed) throw new CloudbridgeError('CONVERTER_COMPILE', `the script exceeded the memory limit (${this.limits.memoryMb} MB) while loading`);
        const text = errorText(err);
        if (/Script execution timed out/.test(text)) throw new CloudbridgeError('CONVERTER_COMPILE', `the script did not finish loading within ${timeout} ms`);
        throw compileError(text, `${text}\n${err instanceof Error ? err.stack ?? '' : ''}`, program);
      }
    });
    if (!entries || entries.typeof !== 'object') throw new CloudbridgeError('INTERNAL', 'sandbox setup did not produce the converter entry points');
    return entries;
  }

  private call(ref: Ref, args: unknown[]): unknown {
    try {
      return ref.applySync(undefined, args, { arguments: { copy: true }, result: { copy: true }, timeout: this.limits.timeoutMs });
    } catch (err) {
      if (this.isolate.isDisposed) {
        throw new SandboxLimitError('memory', `exceeded the memory limit of ${this.limits.memoryMb} MB`);
      }
      if (err instanceof Error && /Script execution timed out/.test(err.message)) {
        throw new SandboxLimitError('timeout', `did not finish within ${this.limits.timeoutMs} ms`);
      }
      throw new CloudbridgeError('INTERNAL', `converter sandbox call failed: ${errorText(err)}`, {}, { cause: err });
    }
  }

  batch(payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): string[] {
    const { bytes, offsets } = packPayloads(payloads);
    const out = this.call(this.entries.batch, [bytes.buffer, offsets, metas]);
    return (out === null ? this.call(this.entries.collect, []) : out) as string[];
  }

  one(argsJson: string): string {
    return this.call(this.entries.one, [argsJson]) as string;
  }

  logs(): string[] {
    if (!this.usable) return [];
    try {
      return this.call(this.entries.logs, []) as string[];
    } catch {
      return [];
    }
  }

  dispose(): void {
    if (this.isolate.isDisposed) return;
    for (const ref of Object.values(this.entries)) ref.release();
    this.isolate.dispose();
  }
}

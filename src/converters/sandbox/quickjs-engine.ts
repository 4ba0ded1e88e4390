/**
 * The portable fallback sandbox: QuickJS compiled to WebAssembly (quickjs-emscripten, RELEASE_SYNC).
 * Each converter gets its own WASM module, runtime and context, so a fault in one cannot reach
 * another. Limits: an interrupt deadline per call (also while pending Promise jobs run) and a
 * runtime memory limit. Payloads cross as one ArrayBuffer, everything else as JSON text. Every
 * handle is disposed.
 */
import { RELEASE_SYNC, newQuickJSWASMModuleFromVariant, shouldInterruptAfterDeadline } from 'quickjs-emscripten';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten';
import { CloudbridgeError } from '../../core/errors.ts';
import type { ConverterLimits } from '../../core/model.ts';
import { packPayloads } from './pack-payloads.ts';
import { SandboxLimitError } from './sandbox-types.ts';
import type { SandboxEngine, SandboxHooks, SandboxInstance, SandboxProgram } from './sandbox-types.ts';
import { compileError } from './script-location.ts';

const MIN_SETUP_TIMEOUT_MS = 5000;
const MAX_STACK_BYTES = 512 * 1024;

interface DumpedError {
  name?: string;
  message?: string;
  stack?: string;
}

export const quickjsEngine: SandboxEngine = {
  kind: 'quickjs',
  async create(program, limits, hooks) {
    const module = await newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
    return new QuickJsInstance(module.newRuntime(), program, limits, hooks ?? {});
  },
};

function dumpText(e: DumpedError): string {
  return `${e.name ?? 'Error'}: ${e.message ?? String(e)}`;
}

class QuickJsInstance implements SandboxInstance {
  private readonly rt: QuickJSRuntime;
  private readonly vm: QuickJSContext;
  private readonly limits: ConverterLimits;
  private readonly hooks: SandboxHooks;
  private readonly fns: { batch: QuickJSHandle; collect: QuickJSHandle; one: QuickJSHandle; logs: QuickJSHandle };
  private broken = false;
  private disposed = false;
  private interrupted = false;

  constructor(rt: QuickJSRuntime, program: SandboxProgram, limits: ConverterLimits, hooks: SandboxHooks) {
    this.rt = rt;
    this.limits = limits;
    this.hooks = hooks;
    rt.setMemoryLimit(limits.memoryMb * 1024 * 1024);
    rt.setMaxStackSize(MAX_STACK_BYTES);
    this.vm = rt.newContext();
    try {
      const entries = this.load(program);
      const get = (name: string): QuickJSHandle => this.vm.getProp(entries, name);
      this.fns = { batch: get('batchJson'), collect: get('collectJson'), one: get('one'), logs: get('logsJson') };
      entries.dispose();
    } catch (err) {
      this.vm.dispose();
      this.rt.dispose();
      throw err;
    }
  }

  get usable(): boolean {
    return !this.broken && !this.disposed;
  }

  /**
   * Sets the deadline for the next call. The flag records that it fired: an interrupt inside a
   * Promise job only rejects that job's promise, so the call itself may look successful.
   */
  private arm(ms: number): void {
    const expired = shouldInterruptAfterDeadline(Date.now() + ms);
    this.interrupted = false;
    this.rt.setInterruptHandler((rt) => {
      if (!expired(rt)) return false;
      this.interrupted = true;
      return true;
    });
  }

  private checkInterrupted(): void {
    if (this.interrupted) throw this.fail({ name: 'InternalError', message: 'interrupted' });
  }

  private load(program: SandboxProgram): QuickJSHandle {
    const timeout = Math.max(this.limits.timeoutMs, MIN_SETUP_TIMEOUT_MS);
    const last = program.scripts.length - 1;
    let entries: QuickJSHandle | undefined;
    program.scripts.forEach((s, i) => {
      this.arm(timeout);
      const r = this.vm.evalCode(s.code, s.filename, { type: 'global' });
      if (r.error) {
        const e = this.vm.dump(r.error) as DumpedError;
        r.error.dispose();
        if (i !== last) throw new CloudbridgeError('INTERNAL', `sandbox setup failed in ${s.filename}: ${dumpText(e)}`);
        if (e.message === 'interrupted') throw new CloudbridgeError('CONVERTER_COMPILE', `the script did not finish loading within ${timeout} ms`);
        throw compileError(dumpText(e), `${e.stack ?? ''}`, program);
      }
      if (i === last) entries = r.value;
      else r.value.dispose();
    });
    const jobs = this.rt.executePendingJobs(-1);
    if (jobs.error) jobs.error.dispose();
    if (jobs.error || this.interrupted) {
      entries?.dispose();
      throw new CloudbridgeError('CONVERTER_COMPILE', `the script did not finish loading within ${timeout} ms`);
    }
    if (!entries) throw new CloudbridgeError('INTERNAL', 'sandbox setup did not produce the converter entry points');
    return entries;
  }

  private fail(e: DumpedError): Error {
    this.broken = true;
    if (e.message === 'interrupted') return new SandboxLimitError('timeout', `did not finish within ${this.limits.timeoutMs} ms`);
    if (e.message === 'out of memory') return new SandboxLimitError('memory', `exceeded the memory limit of ${this.limits.memoryMb} MB`);
    return new CloudbridgeError('INTERNAL', `converter sandbox call failed: ${dumpText(e)}`);
  }

  /** Calls an entry with string (or ArrayBuffer) arguments and returns its string result. */
  private call(fn: QuickJSHandle, args: Array<string | ArrayBuffer>): string {
    const handles = args.map((a) => (typeof a === 'string' ? this.vm.newString(a) : this.vm.newArrayBuffer(a)));
    try {
      const r = this.vm.callFunction(fn, this.vm.undefined, ...handles);
      if (r.error) {
        const e = this.vm.dump(r.error) as DumpedError;
        r.error.dispose();
        throw this.fail(e);
      }
      try {
        return this.vm.getString(r.value);
      } finally {
        r.value.dispose();
      }
    } finally {
      for (const h of handles) h.dispose();
    }
  }

  /** Runs queued Promise jobs (still under the call's deadline), as V8 does at the end of a call. */
  private drainJobs(): void {
    const r = this.rt.executePendingJobs(-1);
    if (r.error) {
      const e = r.error.context.dump(r.error) as DumpedError;
      r.error.dispose();
      throw this.fail(e);
    }
  }

  /** Runs `fn` under the call's deadline, telling the host while it runs (QuickJS calls are synchronous). */
  private timed<T>(fn: () => T): Promise<T> {
    const done = this.hooks.callStarted?.(this.limits.timeoutMs);
    try {
      this.arm(this.limits.timeoutMs);
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err as Error);
    } finally {
      done?.();
    }
  }

  batch(payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<string[]> {
    const { bytes, offsets } = packPayloads(payloads);
    return this.timed(() => {
      let text = this.call(this.fns.batch, [bytes.buffer, JSON.stringify({ o: offsets, m: metas })]);
      this.drainJobs();
      this.checkInterrupted();
      if (text === 'null') text = this.call(this.fns.collect, []);
      return JSON.parse(text) as string[];
    });
  }

  one(argsJson: string): Promise<string> {
    return this.timed(() => {
      const out = this.call(this.fns.one, [argsJson]);
      this.drainJobs();
      this.checkInterrupted();
      return out;
    });
  }

  logs(): Promise<string[]> {
    if (!this.usable) return Promise.resolve([]);
    return this.timed(() => JSON.parse(this.call(this.fns.logs, [])) as string[]).catch(() => []);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // A runtime cut off by a limit may hold objects it can no longer free (an interrupted async
    // JSONata evaluation does), and freeing it would abort the WASM module. The module is private
    // to this instance, so dropping it releases all of its memory.
    if (this.broken) return;
    try {
      for (const h of Object.values(this.fns)) h.dispose();
      this.vm.dispose();
      this.rt.dispose();
    } catch {
      // Same as above: the module goes away with this instance.
    }
  }
}

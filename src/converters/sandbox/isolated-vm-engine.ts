/**
 * The V8-isolate sandbox (isolated-vm): one isolate + context per converter, compiled once.
 * Arguments are copied in and results copied out (`apply` + copy): the payloads travel as one
 * fresh ArrayBuffer, the results as one JSON string per message (the fastest mix measured, see
 * bench/converter-runtime.ts). Microtasks run inside the call, under the same timeout.
 *
 * Every call is asynchronous: the isolate runs on one of isolated-vm's threads, so the sandbox
 * host process keeps serving other converters (and watching this one) while it runs.
 */
import type IsolatedVM from 'isolated-vm';
import { CloudbridgeError } from '../../core/errors.ts';
import type { ConverterLimits } from '../../core/model.ts';
import { packPayloads } from './pack-payloads.ts';
import { SandboxLimitError } from './sandbox-types.ts';
import type { SandboxEngine, SandboxHooks, SandboxInstance, SandboxProgram } from './sandbox-types.ts';
import { compileError } from './script-location.ts';

type Ivm = typeof IsolatedVM;
type Ref = IsolatedVM.Reference<(...args: unknown[]) => unknown>;
type Entries = IsolatedVM.Reference<Record<string, unknown>>;

/** Loading the prelude and the JSONata library must never be cut short on a slow machine. */
const MIN_SETUP_TIMEOUT_MS = 5000;

export function isolatedVmEngine(ivm: Ivm): SandboxEngine {
  return {
    kind: 'isolated-vm',
    create: (program, limits, hooks) => IsolatedVmInstance.create(ivm, program, limits, hooks ?? {}),
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

class IsolatedVmInstance implements SandboxInstance {
  private readonly isolate: IsolatedVM.Isolate;
  private readonly limits: ConverterLimits;
  private readonly hooks: SandboxHooks;
  private entries: { batch: Ref; collect: Ref; one: Ref; logs: Ref } | null = null;
  private catastrophic = false;

  private constructor(ivm: Ivm, limits: ConverterLimits, hooks: SandboxHooks) {
    this.limits = limits;
    this.hooks = hooks;
    this.isolate = new ivm.Isolate({
      memoryLimit: limits.memoryMb,
      onCatastrophicError: (message) => {
        this.catastrophic = true;
        hooks.onCatastrophic?.(message);
      },
    });
  }

  static async create(ivm: Ivm, program: SandboxProgram, limits: ConverterLimits, hooks: SandboxHooks): Promise<IsolatedVmInstance> {
    const instance = new IsolatedVmInstance(ivm, limits, hooks);
    try {
      const context = await instance.isolate.createContext();
      const entries = await instance.load(context, program);
      const get = async (name: string): Promise<Ref> => (await entries.get(name, { reference: true })) as Ref;
      instance.entries = { batch: await get('batch'), collect: await get('collect'), one: await get('one'), logs: await get('logs') };
      entries.release();
      return instance;
    } catch (err) {
      instance.dispose();
      throw err;
    }
  }

  get usable(): boolean {
    return !this.catastrophic && !this.isolate.isDisposed;
  }

  private async load(context: IsolatedVM.Context, program: SandboxProgram): Promise<Entries> {
    const timeout = Math.max(this.limits.timeoutMs, MIN_SETUP_TIMEOUT_MS);
    const last = program.scripts.length - 1;
    let entries: Entries | undefined;
    for (const [i, s] of program.scripts.entries()) {
      const user = i === last;
      const done = this.hooks.callStarted?.(timeout);
      try {
        const script = await this.isolate.compileScript(s.code, { filename: s.filename });
        const result = (await script.run(context, { timeout, reference: true })) as Entries;
        script.release();
        if (user) entries = result;
        else result.release();
      } catch (err) {
        if (!user) throw new CloudbridgeError('INTERNAL', `sandbox setup failed in ${s.filename}: ${errorText(err)}`, {}, { cause: err });
        if (this.isolate.isDisposed) throw new CloudbridgeError('CONVERTER_COMPILE', `the script exceeded the memory limit (${this.limits.memoryMb} MB) while loading`);
        const text = errorText(err);
        if (/Script execution timed out/.test(text)) throw new CloudbridgeError('CONVERTER_COMPILE', `the script did not finish loading within ${timeout} ms`);
        throw compileError(text, `${text}\n${err instanceof Error ? err.stack ?? '' : ''}`, program);
      } finally {
        done?.();
      }
    }
    if (!entries || entries.typeof !== 'object') throw new CloudbridgeError('INTERNAL', 'sandbox setup did not produce the converter entry points');
    return entries;
  }

  private async call(ref: Ref, args: unknown[]): Promise<unknown> {
    const done = this.hooks.callStarted?.(this.limits.timeoutMs);
    try {
      return await ref.apply(undefined, args, { arguments: { copy: true }, result: { copy: true }, timeout: this.limits.timeoutMs });
    } catch (err) {
      if (this.isolate.isDisposed) {
        throw new SandboxLimitError('memory', `exceeded the memory limit of ${this.limits.memoryMb} MB`);
      }
      if (err instanceof Error && /Script execution timed out/.test(err.message)) {
        throw new SandboxLimitError('timeout', `did not finish within ${this.limits.timeoutMs} ms`);
      }
      throw new CloudbridgeError('INTERNAL', `converter sandbox call failed: ${errorText(err)}`, {}, { cause: err });
    } finally {
      done?.();
    }
  }

  private get refs(): { batch: Ref; collect: Ref; one: Ref; logs: Ref } {
    if (!this.entries) throw new CloudbridgeError('INTERNAL', 'the converter sandbox is not loaded');
    return this.entries;
  }

  async batch(payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<string[]> {
    const { bytes, offsets } = packPayloads(payloads);
    const out = await this.call(this.refs.batch, [bytes.buffer, offsets, metas]);
    return (out === null ? await this.call(this.refs.collect, []) : out) as string[];
  }

  async one(argsJson: string): Promise<string> {
    return (await this.call(this.refs.one, [argsJson])) as string;
  }

  async logs(): Promise<string[]> {
    if (!this.usable) return [];
    try {
      return (await this.call(this.refs.logs, [])) as string[];
    } catch {
      return [];
    }
  }

  dispose(): void {
    if (this.isolate.isDisposed) return;
    for (const ref of Object.values(this.entries ?? {})) ref.release();
    this.isolate.dispose();
  }
}

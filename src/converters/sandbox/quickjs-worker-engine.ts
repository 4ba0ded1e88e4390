/**
 * The QuickJS engine as the sandbox host uses it: each instance in its own worker thread
 * (quickjs-worker.ts), so that a QuickJS call, which is synchronous, never blocks the host's main
 * thread. The instance here only forwards calls and rebuilds the errors the worker reports.
 */
import { Worker } from 'node:worker_threads';
import { CloudbridgeError, type ErrorCode } from '../../core/errors.ts';
import type { QuickjsWorkerReply, QuickjsWorkerRequest } from './quickjs-worker.ts';
import { SandboxLimitError } from './sandbox-types.ts';
import type { SandboxEngine, SandboxHooks, SandboxInstance } from './sandbox-types.ts';

const WORKER = new URL(`./quickjs-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
/** Loading the prelude and the JSONata library must never be cut short on a slow machine. */
const MIN_SETUP_TIMEOUT_MS = 5000;

class QuickjsWorkerInstance implements SandboxInstance {
  private readonly worker = new Worker(WORKER);
  private readonly hooks: SandboxHooks;
  private readonly timeoutMs: number;
  private waiting: { resolve(r: QuickjsWorkerReply): void; reject(e: Error): void } | null = null;
  private alive = true;
  private lastUsable = true;

  constructor(timeoutMs: number, hooks: SandboxHooks) {
    this.timeoutMs = timeoutMs;
    this.hooks = hooks;
    this.worker.on('message', (reply: QuickjsWorkerReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.resolve(reply);
    });
    this.worker.on('error', (err) => this.end(err));
    this.worker.on('exit', (code) => this.end(new Error(`the QuickJS worker exited with code ${code}`)));
  }

  private end(err: Error): void {
    this.alive = false;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(new CloudbridgeError('INTERNAL', `converter sandbox call failed: ${err.message}`, {}, { cause: err }));
  }

  get usable(): boolean {
    return this.alive && this.lastUsable;
  }

  async send<T>(req: QuickjsWorkerRequest, timeoutMs = this.timeoutMs): Promise<T> {
    if (!this.alive) throw new CloudbridgeError('INTERNAL', 'the QuickJS worker is gone');
    const done = this.hooks.callStarted?.(timeoutMs);
    try {
      const reply = await new Promise<QuickjsWorkerReply>((resolve, reject) => {
        this.waiting = { resolve, reject };
        this.worker.postMessage(req);
      });
      this.lastUsable = reply.usable || req.t === 'create';
      if (reply.t === 'limit') throw new SandboxLimitError(reply.limit, reply.message);
      if (reply.t === 'error') throw new CloudbridgeError(reply.code as ErrorCode, reply.message, reply.details);
      return reply.value as T;
    } finally {
      done?.();
    }
  }

  batch(payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<string[]> {
    return this.send({ t: 'batch', payloads: [...payloads], metas: [...metas] });
  }

  one(argsJson: string): Promise<string> {
    return this.send({ t: 'one', args: argsJson });
  }

  logs(): Promise<string[]> {
    if (!this.usable) return Promise.resolve([]);
    return this.send<string[]>({ t: 'logs' }).catch(() => []);
  }

  dispose(): void {
    this.alive = false;
    void this.worker.terminate();
  }
}

export const quickjsWorkerEngine: SandboxEngine = {
  kind: 'quickjs',
  async create(program, limits, hooks) {
    const instance = new QuickjsWorkerInstance(limits.timeoutMs, hooks ?? {});
    try {
      await instance.send({ t: 'create', program, limits }, Math.max(limits.timeoutMs, MIN_SETUP_TIMEOUT_MS));
      return instance;
    } catch (err) {
      instance.dispose();
      throw err;
    }
  },
};

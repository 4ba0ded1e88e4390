/**
 * The inside of a sandbox host process: the converter sessions it holds (one per instance id the
 * parent gave), the requests it serves, and the watchdogs that decide when the process must die.
 *
 * User code never runs on this process's main thread (isolated-vm runs each call on its own
 * thread), so the watchdogs keep running while converters run:
 * - a call that outlives its time limit by STUCK_GRACE_MS means the engine could not stop it;
 * - the process growing more than its busy converters' memory allowance (plus the batches it holds)
 *   above its idle size means an allocation the engine did not count (isolated-vm lets some through);
 * - isolated-vm's catastrophic-error callback means it lost control of an isolate.
 * Each of these sends one `fatal` message naming the instances to blame, and the process ends.
 */
import { CloudbridgeError, isCloudbridgeError } from '../../../core/errors.ts';
import { toWireError, type WireError } from '../../../core/wire-error.ts';
import type { SandboxKind } from '../../types.ts';
import { preludeGuards } from '../prelude-guards.ts';
import { SandboxSession } from '../sandbox-session.ts';
import type { SandboxEngine, SandboxHooks, SandboxProgram } from '../sandbox-types.ts';
import { loadEngine } from '../select-engine.ts';
import type { FatalReason, HostReply, HostRequest } from './protocol.ts';

/** How long past its time limit a call may run before the engine is declared unable to stop it. */
export const STUCK_GRACE_MS = 10_000;
/** Memory a busy converter may add to the process, as a multiple of its `memoryMb`. */
const BUSY_MEMORY_FACTOR = 2;
/** Growth allowed on top of that (allocator slack, request buffers). */
const SLACK_BYTES = 128 * 1024 * 1024;
const WATCH_INTERVAL_MS = 50;
const MB = 1024 * 1024;

export interface HostServerOptions {
  send(reply: HostReply): void;
  /** Sends the fatal report, then ends the process. */
  die(report: Extract<HostReply, { t: 'fatal' }>): void;
  /** The process's resident set size in bytes. */
  rss(): number;
  now?(): number;
}

interface Hosted {
  session: SandboxSession;
  memoryMb: number;
}

interface RunningCall {
  inst: number;
  startedAt: number;
  timeoutMs: number;
}

/** A failure as the parent receives it: any error that is not ours is INTERNAL, named as the host's. */
function toWire(err: unknown): WireError {
  return toWireError(isCloudbridgeError(err) ? err : new CloudbridgeError('INTERNAL', `sandbox host: ${err instanceof Error ? err.message : String(err)}`));
}

function fatalReason(message: string): FatalReason {
  if (/out-of-memory|out of memory/i.test(message)) return 'oom';
  if (/failed to terminate/i.test(message)) return 'stuck';
  return 'catastrophic';
}

export class HostServer {
  private readonly opts: HostServerOptions;
  private readonly now: () => number;
  private readonly instances = new Map<number, Hosted>();
  private readonly running = new Set<RunningCall>();
  private readonly engines = new Map<SandboxKind, Promise<SandboxEngine>>();
  private idleRss: number;
  /** Bytes of the batches being served (their payloads, and the copy made for the engine). */
  private requestBytes = 0;
  private dead = false;

  constructor(opts: HostServerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.idleRss = opts.rss();
  }

  /** Runs the watchdog every WATCH_INTERVAL_MS until the process ends. */
  startWatchdog(): void {
    setInterval(() => this.check(), WATCH_INTERVAL_MS).unref();
  }

  handle(req: HostRequest): void {
    if (this.dead) return;
    this.serve(req).then(
      (reply) => this.reply({ t: 'ok', id: req.id, ...reply }),
      (err: unknown) => this.reply({ t: 'error', id: req.id, error: toWire(err) }),
    );
  }

  private reply(r: HostReply): void {
    if (!this.dead) this.opts.send(r);
  }

  private async serve(req: HostRequest): Promise<Omit<Extract<HostReply, { t: 'ok' }>, 't' | 'id'>> {
    switch (req.t) {
      case 'ping':
        return {};
      case 'create': {
        const engine = await this.engine(req.kind);
        const program: SandboxProgram = { ...req.program, scripts: [{ code: preludeGuards(req.limits.memoryMb), filename: 'cloudbridge-guards.js' }, ...req.program.scripts] };
        const session = await SandboxSession.open(engine, program, req.limits, this.hooks(req.inst));
        this.instances.get(req.inst)?.session.dispose();
        this.instances.set(req.inst, { session, memoryMb: req.limits.memoryMb });
        return {};
      }
      case 'batch': {
        const payloads = req.metas.map((_, i) => req.bytes.subarray(req.offsets[i], req.offsets[i + 1]));
        const bytes = 2 * req.bytes.byteLength;
        this.requestBytes += bytes;
        try {
          return { outcomes: await this.session(req.inst).batch(payloads, req.metas) };
        } finally {
          this.requestBytes -= bytes;
        }
      }
      case 'one':
        return { outcome: await this.session(req.inst).one(req.args) };
      case 'logs':
        return { logs: await this.session(req.inst).logs() };
      case 'dispose':
        this.instances.get(req.inst)?.session.dispose();
        this.instances.delete(req.inst);
        return {};
    }
  }

  private engine(kind: SandboxKind): Promise<SandboxEngine> {
    let engine = this.engines.get(kind);
    if (!engine) {
      engine = loadEngine(kind);
      this.engines.set(kind, engine);
    }
    return engine;
  }

  private session(inst: number): SandboxSession {
    const hosted = this.instances.get(inst);
    if (!hosted) throw new CloudbridgeError('INTERNAL', `sandbox host: no converter instance ${inst}`);
    return hosted.session;
  }

  private hooks(inst: number): SandboxHooks {
    return {
      callStarted: (timeoutMs) => {
        const call: RunningCall = { inst, startedAt: this.now(), timeoutMs };
        this.running.add(call);
        return () => this.running.delete(call);
      },
      onCatastrophic: (message) => {
        this.fatal(fatalReason(message), [inst], `the sandbox engine lost control of the converter: ${message}`);
      },
    };
  }

  /**
   * One watchdog round: a call stuck past its limit, or memory the engines did not count. While
   * nothing runs it only notes the process's idle size, the base the growth is measured from.
   */
  check(): void {
    if (this.running.size === 0) {
      this.idleRss = this.opts.rss();
      return;
    }
    const now = this.now();
    for (const call of this.running) {
      if (now - call.startedAt > call.timeoutMs + STUCK_GRACE_MS) {
        this.fatal('stuck', [call.inst], `the converter did not stop within ${STUCK_GRACE_MS} ms after its time limit of ${call.timeoutMs} ms`);
        return;
      }
    }
    const busy = [...new Set([...this.running].map((c) => c.inst))];
    let allowance = SLACK_BYTES + this.requestBytes;
    for (const inst of busy) allowance += (this.instances.get(inst)?.memoryMb ?? 0) * MB * BUSY_MEMORY_FACTOR;
    const rss = this.opts.rss();
    if (rss - this.idleRss > allowance) {
      this.fatal('memory', busy, `the sandbox process grew by ${Math.round((rss - this.idleRss) / MB)} MB while converting, more than the converter's memory limit allows`);
    }
  }

  private fatal(reason: FatalReason, blamed: number[], message: string): void {
    if (this.dead) return;
    this.dead = true;
    this.opts.die({ t: 'fatal', reason, blamed, message });
  }
}

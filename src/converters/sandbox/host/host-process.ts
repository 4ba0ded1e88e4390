/**
 * The parent's handle on one sandbox host process: starts it on first use (and again after it
 * died), matches replies to requests, and turns the process's death into a HostCrashedError for
 * every request still pending, saying who the host blamed (its fatal report) or that it died
 * without a word (a crash: signal, and the engine's last fatal line from its stderr).
 *
 * An idle host does not keep Cloudbridge alive (its process and channel are unref'ed), and a
 * host whose parent goes away ends itself (host-main.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CloudbridgeError } from '../../../core/errors.ts';
import { fromWireError } from '../../../core/wire-error.ts';
import type { FatalReason, HostReply, HostRequest } from './protocol.ts';

const HOST_MAIN = fileURLToPath(new URL(`./host-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
/** Characters of the host's stderr kept to explain a crash. */
const STDERR_KEEP = 8192;
/** A busy host must answer a ping within this long (its main thread never runs user code). */
const PING_INTERVAL_MS = 5000;
const PING_TIMEOUT_MS = 15_000;

export interface HostDeath {
  reason: FatalReason | 'crashed' | 'unresponsive';
  /** The instances the host blamed before it died; null when it died without a word. */
  blamed: number[] | null;
  /** What happened, for a person: the host's own report, or the signal and V8's fatal line. */
  message: string;
}

/** The host process died while this request was pending. */
export class HostCrashedError extends Error {
  readonly death: HostDeath;

  constructor(death: HostDeath) {
    super(`the sandbox process died: ${death.message}`);
    this.name = 'HostCrashedError';
    this.death = death;
  }
}

type Ok = Extract<HostReply, { t: 'ok' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type HostCall = DistributiveOmit<HostRequest, 'id'>;

interface Pending {
  sentAt: number;
  resolve(reply: Ok): void;
  reject(err: Error): void;
}

/** The most telling line of a crashed V8 process's stderr (its fatal error), if any. */
export function fatalLine(stderr: string): string | null {
  const lines = stderr.split('\n').map((l) => l.replace(/^#\s*/, '').trim()).filter(Boolean);
  return lines.find((l) => /fatal|out of memory|invalid size|allocation failed/i.test(l) && !/^Fatal error in\s*,/.test(l)) ?? null;
}

export interface HostProcessOptions {
  /** The Node binary (default: the one running Cloudbridge). */
  execPath?: string;
}

export class HostProcess {
  readonly name: string;
  private readonly execPath: string | undefined;
  private child: ChildProcess | null = null;
  /** Whether the current process said it is ready; one that dies before failed to start. */
  private ready = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';
  private report: Extract<HostReply, { t: 'fatal' }> | null = null;
  private unanswered: { id: number; since: number } | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private closed = false;
  /** Increases each time a new process starts; instances exist only in the generation that created them. */
  generation = 0;
  /** How many processes died (for status and tests). */
  deaths = 0;

  constructor(name: string, opts: HostProcessOptions = {}) {
    this.name = name;
    this.execPath = opts.execPath;
  }

  /** The OS process id of the current process, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** When the oldest request still pending was sent (epoch ms), or null when idle. */
  busySince(): number | null {
    let oldest: number | null = null;
    for (const p of this.pending.values()) if (oldest === null || p.sentAt < oldest) oldest = p.sentAt;
    return oldest;
  }

  /** Makes sure a process runs; returns its generation. */
  ensure(): number {
    if (this.closed) throw new CloudbridgeError('SHUTTING_DOWN', 'the converter sandbox is shut down');
    if (!this.child) this.spawn();
    return this.generation;
  }

  /** Sends a request to the current process; rejects with HostCrashedError if it dies first. */
  request(call: HostCall): Promise<Ok> {
    this.ensure();
    const child = this.child;
    if (!child) return Promise.reject(new CloudbridgeError('INTERNAL', 'sandbox host not running'));
    const id = this.nextId++;
    const promise = new Promise<Ok>((resolve, reject) => this.pending.set(id, { sentAt: Date.now(), resolve, reject }));
    if (this.pending.size === 1) this.busy(true);
    try {
      child.send({ ...call, id } as HostRequest);
    } catch {
      // The channel closed under us: the process is going; its exit fails what is pending.
      child.kill('SIGKILL');
    }
    return promise;
  }

  /** Kills the process at once; pending requests fail as a crash (used by tests and by close). */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  close(): void {
    this.closed = true;
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
    const child = this.child;
    this.failPending(new CloudbridgeError('SHUTTING_DOWN', 'the converter sandbox is shutting down'));
    if (child) {
      this.child = null;
      child.kill('SIGKILL');
    }
  }

  private spawn(): void {
    this.generation++;
    this.stderr = '';
    this.report = null;
    this.ready = false;
    const child = fork(HOST_MAIN, [], {
      ...(this.execPath ? { execPath: this.execPath } : {}),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Not the parent's flags (test runner, inspector ports): the host is a plain Node process.
      execArgv: ['--no-warnings'],
    });
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEEP);
    });
    child.on('message', (reply: HostReply) => this.onReply(reply));
    child.on('error', (err) => {
      // Not started at all (no 'exit' follows), or a channel error: either way this process is done.
      if (child.pid === undefined) this.onExit(child, null, null, err);
      else child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.pinger ??= setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pinger.unref();
    this.busy(this.pending.size > 0);
  }

  private onReply(reply: HostReply): void {
    if (reply.t === 'ready') {
      this.ready = true;
      return;
    }
    if (reply.t === 'fatal') {
      this.report = reply;
      this.kill();
      return;
    }
    if (this.unanswered?.id === reply.id) this.unanswered = null;
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.busy(false);
    if (reply.t === 'ok') p.resolve(reply);
    else p.reject(fromWireError(reply.error));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void {
    if (this.child !== child) return;
    this.child = null;
    if (!this.ready) {
      // Nothing of a converter ran in it: this is the machine (process limits, memory) or the install.
      const why = spawnError?.message ?? fatalLine(this.stderr) ?? this.crashDeath(code, signal).message;
      this.failPending(new CloudbridgeError('SANDBOX_UNAVAILABLE', `cannot start a converter sandbox process: ${why}`));
      return;
    }
    this.deaths++;
    const report = this.report;
    const death: HostDeath = report
      ? { reason: report.reason, blamed: report.blamed, message: report.message }
      : this.crashDeath(code, signal);
    this.failPending(new HostCrashedError(death));
  }

  private crashDeath(code: number | null, signal: NodeJS.Signals | null): HostDeath {
    if (this.unanswered && Date.now() - this.unanswered.since > PING_TIMEOUT_MS) {
      return { reason: 'unresponsive', blamed: null, message: `it stopped answering for ${PING_TIMEOUT_MS} ms and was killed` };
    }
    const how = signal ? `it was killed by signal ${signal}` : `it exited with code ${String(code)}`;
    const line = fatalLine(this.stderr);
    return { reason: 'crashed', blamed: null, message: line ? `${how}: ${line}` : how };
  }

  private failPending(err: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.busy(false);
    for (const p of pending) p.reject(err);
  }

  /** While requests are pending the process keeps Cloudbridge alive and must answer pings. */
  private busy(on: boolean): void {
    const child = this.child;
    if (on) {
      child?.ref();
      child?.channel?.ref();
      return;
    }
    child?.unref();
    child?.channel?.unref();
    (child?.stderr as { unref?: () => void } | null | undefined)?.unref?.();
    this.unanswered = null;
  }

  /** While requests are pending, the host must answer a ping within PING_TIMEOUT_MS. */
  private ping(): void {
    if (this.pending.size === 0 || !this.child) return;
    if (this.unanswered) {
      if (Date.now() - this.unanswered.since > PING_TIMEOUT_MS) this.kill();
      return;
    }
    const id = this.nextId++;
    this.unanswered = { id, since: Date.now() };
    this.child?.send({ t: 'ping', id });
  }
}

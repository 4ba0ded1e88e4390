/**
 * The bench's helper processes (reference pipeline, plain subscriber, publisher) run as forked
 * children so that their CPU and memory are their own: what they tell the parent over IPC, and a
 * parent-side handle that waits for those messages.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** Connected (and subscribed): the parent may start publishing. */
export interface ReadyMessage { t: 'ready' }

/** A consumer committed (or, the plain subscriber, received) all it was asked for. */
export interface ConsumerDone {
  t: 'done';
  /** From its connect to its last commit. */
  ms: number;
  /** CPU (user + system) of the child over the same span. */
  cpuMs: number;
  /** VmHWM of the child. */
  peakRssMb: number;
  /** Committed-at minus the payload's ts, for each message, when asked for latencies. */
  latenciesMs?: number[];
}

/** A publisher sent (and had acknowledged by the broker) all its messages. */
export interface PublisherDone { t: 'done'; ms: number }

export type ChildMessage = ReadyMessage | ConsumerDone | PublisherDone;

/** Sent by the parent: start publishing now. */
export interface GoMessage { t: 'go' }

export interface BenchChild {
  readonly proc: ChildProcess;
  /** The next message of kind `t` (in arrival order); rejects if the child exits first. */
  next<M extends ChildMessage>(t: M['t']): Promise<M>;
  send(message: GoMessage): void;
  /** Waits for the child's exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Forks `script` (a file in bench/) with `args`; its stderr goes to ours. */
export function forkBenchChild(script: string, args: string[]): BenchChild {
  const proc = fork(new URL(script, import.meta.url).pathname, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--no-warnings'] });
  const inbox: ChildMessage[] = [];
  let wake: (() => void) | null = null;
  let exited = false;
  proc.on('message', (m: ChildMessage) => {
    inbox.push(m);
    wake?.();
  });
  const gone = new Promise<void>((resolve) => proc.once('exit', () => {
    exited = true;
    wake?.();
    resolve();
  }));
  return {
    proc,
    async next(t) {
      for (;;) {
        const i = inbox.findIndex((m) => m.t === t);
        if (i >= 0) return inbox.splice(i, 1)[0] as never;
        if (exited) throw new Error(`bench child ${script} exited (code ${proc.exitCode}) before sending "${t}"`);
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    },
    send(message) {
      proc.send(message);
    },
    async stop(graceMs = 10_000) {
      if (exited) return;
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

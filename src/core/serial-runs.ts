/**
 * Runs that must never overlap (config reloads, docs/configuration.md "Reloading"):
 *
 * - `serialized(fn)`: each call waits until the previous one has settled, then runs with its own
 *   arguments; a failed call does not stop the next. The App wraps `applyConfig` with it, so no
 *   caller can apply two configs at once.
 * - `CoalescingRunner`: for requests that carry no arguments and read their input when they run
 *   (SIGHUP re-reads the file). A request while one runs queues one more run; further requests
 *   while that one waits join it: three SIGHUPs during a reload make one more reload, not three.
 */

/** `fn` with its calls one after the other, in call order. */
export function serialized<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let last: Promise<unknown> = Promise.resolve();
  return (...args: A): Promise<R> => {
    const run = last.then(() => fn(...args));
    last = run.catch(() => undefined);
    return run;
  };
}

/** What became of a request: it started a run, queued the next one, or joined the queued one. */
export type RunRequest = 'started' | 'queued' | 'coalesced';

const ignore = (): void => undefined;

export class CoalescingRunner {
  readonly #run: () => Promise<void>;
  /** The run in progress. */
  #active: Promise<void> | null = null;
  /** The run that starts when the active one settles (it has not read its input yet). */
  #queued: Promise<void> | null = null;

  /** `run` reads its input when called; its failure is its own to report (it settles `done`). */
  constructor(run: () => Promise<void>) {
    this.#run = run;
  }

  /** Asks for a run; `done` settles as the run that serves this request does. */
  request(): { outcome: RunRequest; done: Promise<void> } {
    if (this.#queued) return { outcome: 'coalesced', done: this.#queued };
    const active = this.#active;
    if (!active) return { outcome: 'started', done: this.#begin() };
    const queued = active.catch(ignore).then(() => {
      this.#queued = null;
      return this.#begin();
    });
    this.#queued = queued;
    return { outcome: 'queued', done: queued };
  }

  #begin(): Promise<void> {
    const run = Promise.resolve().then(this.#run);
    this.#active = run;
    void run.catch(ignore).then(() => {
      if (this.#active === run) this.#active = null;
    });
    return run;
  }
}

/**
 * Long-poll receivers that scale with throughput: the pool starts with one receiver, adds one
 * (up to `maxReceivers`) each time a poll returns a full batch, and a receiver ends when its poll
 * returns nothing while others are running. After a poll error all but one receiver end, and the
 * last retries with backoff. Every poll has its own AbortController, so a stalled one can be
 * cancelled by the watchdog (`abortPollsOlderThan`).
 */
import { sleep, type Clock } from '../../core/clock.ts';
import { CloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

export interface ReceiverPoolOptions {
  maxReceivers: number;
  /** A poll returning this many messages counts as full. */
  fullBatch: number;
  /** How long one poll may hold the request open (the long-poll wait). */
  pollWindowMs: number;
  /** Waits until a poll may start (room in flight, delivery backoff); rejects when stopping. */
  beforePoll(signal: AbortSignal): Promise<void>;
  /** One ReceiveMessage call and the hand-off of its messages; resolves with how many came. */
  poll(signal: AbortSignal): Promise<number>;
  /** Returns how long to wait before retrying after a failed poll. */
  onPollError(err: unknown): number;
  onPollOk(received: number): void;
  clock: Clock;
  log: Logger;
}

interface ActivePoll {
  startedAt: number;
  controller: AbortController;
}

export class ReceiverPool {
  private readonly opts: ReceiverPoolOptions;
  private readonly stopController = new AbortController();
  private readonly polls = new Set<ActivePoll>();
  private readonly loops = new Set<Promise<void>>();
  private running = false;
  lastPollAt: number | null = null;

  constructor(opts: ReceiverPoolOptions) {
    this.opts = opts;
  }

  get receivers(): number {
    return this.loops.size;
  }

  get polling(): number {
    return this.polls.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.spawn();
  }

  /**
   * Starts no more polls: waiting receivers end at once, polling ones after their poll. Running
   * polls are left to finish, because aborting one only closes the connection: SQS may still
   * hand messages to it, which then stay invisible for the whole visibility timeout.
   */
  halt(): void {
    this.running = false;
    this.stopController.abort(new CloudbridgeError('SHUTTING_DOWN', 'the SQS receivers are stopping'));
  }

  /** Resolves when every receiver has ended. */
  async idle(): Promise<void> {
    while (this.loops.size > 0) await Promise.all([...this.loops]);
  }

  /**
   * Aborts the running polls. Returns the epoch ms until which SQS may still hand messages to
   * them (their long poll's end); messages released before then could go to an aborted poll.
   */
  abortPolls(): number {
    const until = this.pollWindowEnd();
    const reason = new CloudbridgeError('SHUTTING_DOWN', 'the SQS receivers are stopping');
    for (const p of this.polls) p.controller.abort(reason);
    return until;
  }

  /** The latest end of a running poll's long-poll window (0 when none runs). */
  pollWindowEnd(): number {
    let end = 0;
    for (const p of this.polls) end = Math.max(end, p.startedAt + this.opts.pollWindowMs);
    return end;
  }

  /** Aborts polls running longer than `ms` (a hung request); returns how many. */
  abortPollsOlderThan(ms: number): number {
    const now = this.opts.clock.now();
    let aborted = 0;
    for (const p of this.polls) {
      if (now - p.startedAt <= ms) continue;
      p.controller.abort(new CloudbridgeError('CONNECTION_TIMEOUT', `ReceiveMessage did not answer within ${Math.round(ms / 1000)} s`));
      aborted++;
    }
    return aborted;
  }

  private spawn(): void {
    if (!this.running || this.loops.size >= this.opts.maxReceivers) return;
    const loop: Promise<void> = this.loop().finally(() => {
      this.loops.delete(loop);
      // The last receiver must never end while the pool runs.
      if (this.running && this.loops.size === 0) this.spawn();
    });
    this.loops.add(loop);
  }

  private async loop(): Promise<void> {
    const stop = this.stopController.signal;
    while (this.running) {
      try {
        await this.opts.beforePoll(stop);
      } catch {
        return;
      }
      if (!this.running) return;
      const active: ActivePoll = { startedAt: this.opts.clock.now(), controller: new AbortController() };
      this.polls.add(active);
      let received: number;
      try {
        // Raced with its own signal: a request that ignores the abort must not hold the receiver.
        received = await untilAborted(this.opts.poll(active.controller.signal), active.controller.signal);
      } catch (err) {
        this.polls.delete(active);
        if (!this.running) return;
        const delayMs = this.opts.onPollError(err);
        if (this.loops.size > 1) return;
        try {
          await sleep(delayMs, stop, this.opts.clock);
        } catch {
          return;
        }
        continue;
      }
      this.polls.delete(active);
      this.lastPollAt = this.opts.clock.now();
      this.opts.onPollOk(received);
      if (received >= this.opts.fullBatch) this.spawn();
      else if (received === 0 && this.loops.size > 1) return;
    }
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

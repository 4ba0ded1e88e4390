/**
 * A weighted, abortable, FIFO counting semaphore: the one bound on work in flight. The pipeline
 * admits deliveries with two of them (messages and bytes), the MQTT intake caps its outstanding
 * deliveries with one, the SQS receivers reserve room for a receive with one.
 *
 * - `acquire(weight, signal)` waits until `weight` fits under the capacity. Waiters are served in
 *   arrival order: a small request never overtakes a large one, so none starves.
 * - A request larger than the whole capacity is granted alone, once nothing is held, so an
 *   oversized batch cannot deadlock.
 * - Aborting the signal takes a waiter out of the line (rejected with the signal's reason);
 *   `close(reason)` rejects every waiter and every later acquire.
 */
import { CloudbridgeError } from './errors.ts';

interface Waiter {
  weight: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new CloudbridgeError('SHUTTING_DOWN', 'the wait for room in flight was aborted');
}

export class Semaphore {
  readonly capacity: number;
  private held = 0;
  private peakHeld = 0;
  private waiters: Waiter[] = [];
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private closedWith: unknown = undefined;

  constructor(capacity: number) {
    if (!(capacity > 0)) throw new RangeError(`a semaphore needs a positive capacity, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Weight held now. */
  get used(): number {
    return this.held;
  }

  /** The most weight ever held at once. */
  get peak(): number {
    return this.peakHeld;
  }

  /** Requests waiting for room. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes `weight` at once when it fits and nobody waits; false otherwise. */
  tryAcquire(weight = 1): boolean {
    if (this.closed || this.waiters.length > 0 || !this.fits(weight)) return false;
    this.take(weight);
    return true;
  }

  /** Resolves once `weight` is held. Rejects when `signal` aborts first or the semaphore is closed. */
  acquire(weight = 1, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.tryAcquire(weight)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        weight, resolve, reject, signal,
        onAbort: () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(abortReason(signal));
          this.wake();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives `weight` back and serves the waiters that fit now, in order. */
  release(weight = 1): void {
    this.held = Math.max(0, this.held - weight);
    this.wake();
    if (this.held === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when nothing is held. */
  idle(): Promise<void> {
    if (this.held === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Rejects every waiter and every later acquire with `reason`; what is held stays held until released. */
  close(reason: unknown): void {
    this.closed = true;
    this.closedWith = reason;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
  }

  private fits(weight: number): boolean {
    return this.held === 0 || this.held + weight <= this.capacity;
  }

  private take(weight: number): void {
    this.held += weight;
    if (this.held > this.peakHeld) this.peakHeld = this.held;
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      const next = this.waiters[0];
      if (!next || !this.fits(next.weight)) return;
      this.waiters.shift();
      next.signal?.removeEventListener('abort', next.onAbort);
      this.take(next.weight);
      next.resolve();
    }
  }
}

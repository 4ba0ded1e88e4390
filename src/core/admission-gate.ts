/**
 * Bounds in-flight work by message count and bytes. `acquire` waits (FIFO) until the request
 * fits; a single request larger than the limits is admitted alone when nothing else is in flight,
 * so an oversized batch cannot deadlock.
 */
import { CloudbridgeError } from './errors.ts';

interface Waiter {
  messages: number;
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class AdmissionGate {
  messages = 0;
  bytes = 0;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private waiters: Waiter[] = [];
  private closedWith: unknown = null;

  constructor(maxMessages: number, maxBytes: number) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  acquire(messages: number, bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(signal.reason ?? new CloudbridgeError('SHUTTING_DOWN', 'delivery aborted'));
    if (this.waiters.length === 0 && this.fits(messages, bytes)) {
      this.take(messages, bytes);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        messages, bytes, resolve, reject, signal,
        onAbort: () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal?.reason ?? new CloudbridgeError('SHUTTING_DOWN', 'delivery aborted'));
          this.wake();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(messages: number, bytes: number): void {
    this.messages = Math.max(0, this.messages - messages);
    this.bytes = Math.max(0, this.bytes - bytes);
    this.wake();
  }

  /** Rejects every waiter and all future acquires. */
  close(err: unknown): void {
    this.closedWith = err;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(err);
    }
  }

  get waiting(): number {
    return this.waiters.length;
  }

  private fits(messages: number, bytes: number): boolean {
    if (this.messages === 0 && this.bytes === 0) return true;
    return this.messages + messages <= this.maxMessages && this.bytes + bytes <= this.maxBytes;
  }

  private take(messages: number, bytes: number): void {
    this.messages += messages;
    this.bytes += bytes;
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      const next = this.waiters[0];
      if (!next || !this.fits(next.messages, next.bytes)) return;
      this.waiters.shift();
      next.signal?.removeEventListener('abort', next.onAbort);
      this.take(next.messages, next.bytes);
      next.resolve();
    }
  }
}

/**
 * Every SQS message received and not yet deleted or released ("leased"): its receipt handle and
 * when it becomes visible again (an estimate on the safe side: counted from when the request was
 * sent). The visibility heartbeat walks this table, so buffered messages waiting for the
 * pipeline are kept invisible exactly like those being stored. The table also bounds how many
 * messages are in flight (`maxInFlight`).
 */
import { CloudbridgeError } from '../../core/errors.ts';

export interface Lease {
  /** Unique per receipt (the same MessageId can be received twice). */
  readonly key: string;
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly groupId: string | undefined;
  /** Epoch ms the ReceiveMessage request was sent. */
  readonly receivedAt: number;
  /** Estimated epoch ms the message becomes visible again (never later than the real moment). */
  visibleAt: number;
  /** The 12 h visibility cap is reached: it can no longer be extended. */
  capped: boolean;
  /** SQS no longer knows this receipt (it became visible and was received again, or was deleted). */
  lost: boolean;
  /** Being made visible again: the heartbeat must not extend it any more. */
  releasing: boolean;
}

interface Waiter {
  room: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class LeaseTable {
  readonly max: number;
  private readonly leases = new Map<string, Lease>();
  private waiters: Waiter[] = [];
  private reserved = 0;
  private seq = 0;

  constructor(maxInFlight: number) {
    this.max = maxInFlight;
  }

  get size(): number {
    return this.leases.size;
  }

  values(): IterableIterator<Lease> {
    return this.leases.values();
  }

  add(m: { messageId: string; receiptHandle: string; groupId?: string | undefined }, receivedAt: number, visibilityTimeoutSeconds: number): Lease {
    const lease: Lease = {
      key: `${++this.seq}`,
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      groupId: m.groupId,
      receivedAt,
      visibleAt: receivedAt + visibilityTimeoutSeconds * 1000,
      capped: false,
      lost: false,
      releasing: false,
    };
    this.leases.set(lease.key, lease);
    return lease;
  }

  has(lease: Lease): boolean {
    return this.leases.get(lease.key) === lease;
  }

  remove(leases: Iterable<Lease>): void {
    for (const l of leases) this.leases.delete(l.key);
    this.wake();
  }

  /**
   * Resolves once `room` more messages fit under maxInFlight (at once when nothing is leased or
   * reserved), and reserves that room until `unreserve(room)`: a receiver reserves before it
   * polls and unreserves after adding what it received.
   */
  reserve(room: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new CloudbridgeError('SHUTTING_DOWN', 'aborted'));
    if (this.waiters.length === 0 && this.fits(room)) {
      this.reserved += room;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        room, resolve, reject, signal,
        onAbort: () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal?.reason ?? new CloudbridgeError('SHUTTING_DOWN', 'aborted'));
          this.wake();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  unreserve(room: number): void {
    this.reserved = Math.max(0, this.reserved - room);
    this.wake();
  }

  private fits(room: number): boolean {
    const used = this.leases.size + this.reserved;
    return used === 0 || used + room <= this.max;
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      const next = this.waiters[0];
      if (!next || !this.fits(next.room)) return;
      this.waiters.shift();
      next.signal?.removeEventListener('abort', next.onAbort);
      this.reserved += next.room;
      next.resolve();
    }
  }
}

/**
 * Messages whose delivery the pipeline rejected, held until the pipeline's retry delay is over and
 * then offered to the pipeline again. They are not given back to Pub/Sub: a nack would start a hot
 * loop (Pub/Sub redelivers a nacked message within ~150 ms), would count as a delivery attempt
 * towards a dead-letter policy during a store outage, and does not keep an ordering key's order
 * (the emulator was seen sending a key's newer messages before the redelivered older ones, and
 * withholding redeliveries while newer ones were outstanding). Setting the ack deadline to the
 * delay with modAck would need the message taken out of the SDK's lease manager, which 6.3.0 has
 * no public way to do. So the lease manager keeps extending a held message's ack deadline, and a
 * crash while it is held makes Pub/Sub redeliver it after its deadline, as for any message.
 *
 * Order: messages are offered again in the order they were held, each not before its time. While a
 * message with ordering key K is held, a newly received message of K is held behind it (never
 * delivered first), so per key the store sees publish order across a failed delivery.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';

export interface HeldEntry<T> {
  item: T;
  orderingKey: string | undefined;
  notBefore: number;
}

export class RetryHold<T> {
  private readonly queue: Array<HeldEntry<T>> = [];
  /** Per ordering key: messages held and the latest time one of them may go back. */
  private readonly keys = new Map<string, { count: number; notBefore: number }>();
  private readonly clock: Clock;
  private readonly release: (item: T) => void;
  private timer: TimerHandle | null = null;

  constructor(opts: { clock: Clock; release: (item: T) => void }) {
    this.clock = opts.clock;
    this.release = opts.release;
  }

  get size(): number {
    return this.queue.length;
  }

  /** Whether a message of `key` is held (a newer one of that key must wait behind it). */
  holdsKey(key: string | undefined): boolean {
    return key !== undefined && key !== '' && this.keys.has(key);
  }

  /** Holds `items` until `notBefore` (epoch ms), and a message whose key is held until that key's time. */
  add(items: Array<{ item: T; orderingKey: string | undefined }>, notBefore: number): void {
    for (const { item, orderingKey } of items) {
      const key = orderingKey || undefined;
      let at = notBefore;
      if (key !== undefined) {
        const held = this.keys.get(key);
        if (held) {
          at = Math.max(at, held.notBefore);
          held.count++;
          held.notBefore = at;
        } else {
          this.keys.set(key, { count: 1, notBefore: at });
        }
      }
      this.queue.push({ item, orderingKey: key, notBefore: at });
    }
    this.arm();
  }

  /** Forgets every held message (the stream's close gives them back to Pub/Sub). */
  clear(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.keys.clear();
  }

  private arm(): void {
    const head = this.queue[0];
    if (this.timer || !head) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.releaseDue();
      this.arm();
    }, Math.max(0, head.notBefore - this.clock.now()));
  }

  private releaseDue(): void {
    const now = this.clock.now();
    while (this.queue.length > 0 && (this.queue[0]?.notBefore ?? Infinity) <= now) {
      const entry = this.queue.shift() as HeldEntry<T>;
      if (entry.orderingKey !== undefined) {
        const held = this.keys.get(entry.orderingKey);
        if (held && --held.count === 0) this.keys.delete(entry.orderingKey);
      }
      this.release(entry.item);
    }
  }
}

/**
 * Caps the messages handed to the pipeline and not settled yet. When the cap is reached the MQTT
 * intake waits for a free slot before reading the next packet, which stops reading the socket:
 * backpressure reaches the broker through TCP instead of piling messages up in memory.
 */
export class InFlightLimit {
  readonly max: number;
  private used = 0;
  private peakUsed = 0;
  private slotWaiters: Array<() => void> = [];
  private emptyWaiters: Array<() => void> = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${max}`);
    this.max = max;
  }

  /** Takes a slot when one is free. */
  tryAcquire(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    if (this.used > this.peakUsed) this.peakUsed = this.used;
    return true;
  }

  /** Resolves when a slot may be free (call `tryAcquire()` again: another caller may take it first). */
  waitForSlot(): Promise<void> {
    if (this.used < this.max) return Promise.resolve();
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  release(): void {
    if (this.used === 0) return;
    this.used--;
    // Wake every waiter: each retries tryAcquire(), and one that gives up cannot strand the others.
    this.wakeAll();
    if (this.used === 0) {
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Wakes every slot waiter (also used when intake stops, so they can notice and give up). */
  wakeAll(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when nothing is in flight. */
  empty(): Promise<void> {
    if (this.used === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  get inFlight(): number {
    return this.used;
  }

  /** The highest number of slots ever held at once. */
  get peak(): number {
    return this.peakUsed;
  }
}

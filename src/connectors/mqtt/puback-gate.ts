/**
 * Holds back the PUBACKs of one MQTT connection until each message's delivery settled, and writes
 * them in the order the messages were received (MQTT 3.1.1 §4.6 and MQTT 5 §4.6 ask a client to
 * acknowledge QoS 1 messages in receive order).
 *
 * A rejected delivery blocks the gate: neither that message nor any later one of this connection is
 * acknowledged, so the broker redelivers all of them on the next session (the later ones that were
 * committed meanwhile come back flagged DUP and are dropped as duplicates). The owner closes the
 * connection when that happens; `close()` drops everything still held.
 */
export interface PubackTicket {
  readonly messageId: number;
}

interface Entry extends PubackTicket {
  state: 'pending' | 'resolved';
}

export class PubackGate {
  private readonly write: (messageId: number) => void;
  private readonly queue: Entry[] = [];
  private head = 0;
  private blocked = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private acked = 0;

  /** `write` sends one PUBACK on the connection this gate belongs to. */
  constructor(write: (messageId: number) => void) {
    this.write = write;
  }

  /** Registers a received QoS 1 message; its PUBACK waits for `resolve()`. */
  track(messageId: number): PubackTicket {
    const entry: Entry = { messageId, state: 'pending' };
    if (!this.closed && !this.blocked) this.queue.push(entry);
    return entry;
  }

  /** The message was durably settled: its PUBACK goes out as soon as every earlier one did. */
  resolve(ticket: PubackTicket): void {
    (ticket as Entry).state = 'resolved';
    this.flush();
  }

  /** The message was not settled: it must never be acknowledged. Blocks the gate. */
  reject(_ticket: PubackTicket): void {
    if (this.closed) return;
    this.blocked = true;
    this.dropAll();
  }

  /** The connection is gone: nothing held can be acknowledged on another connection. */
  close(): void {
    this.closed = true;
    this.dropAll();
  }

  /** Messages received but not acknowledged yet. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** PUBACKs written so far. */
  get written(): number {
    return this.acked;
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Resolves once nothing is held any more (everything acknowledged, or the gate blocked or closed). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private flush(): void {
    if (this.closed || this.blocked) return;
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head];
      if (!entry || entry.state !== 'resolved') break;
      this.head++;
      this.acked++;
      this.write(entry.messageId);
      if (this.closed || this.blocked) return;
    }
    this.compact();
    if (this.pending === 0) this.notifyIdle();
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private dropAll(): void {
    this.queue.length = 0;
    this.head = 0;
    this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * How far one partition is committed, for partitioned sources (Kinesis shards, Event Hubs
 * partitions). The connector tracks each delivery's position in source order before handing it
 * to the pipeline, and settles or rejects the handle when `deliver()` resolves or rejects. The
 * checkpointer then says:
 *
 * - `committed`: the highest position at or below which everything tracked is settled (the
 *   contiguous prefix; a settled position behind a pending one does not count yet);
 * - `rewindTo`: the first position not committed, where the connector must read again after a
 *   rejection. The checkpointer never moves past a rejected position, and refuses to track more
 *   (`track` returns null) until the connector has rewound, so nothing read after a rejection can
 *   be checkpointed before the rejected position is delivered again.
 *
 * Positions are opaque strings (a Kinesis sequence number, an Event Hubs offset): their order is
 * the order of `track` calls, never compared. Modelled on Benthos' `checkpoint.Capped`; the cap on
 * positions in flight is the connector's Semaphore.
 */
export interface CheckpointHandle {
  readonly position: string;
  /** The delivery was committed. */
  settle(): void;
  /** The delivery was rejected: the partition must be read again from `rewindTo`. */
  reject(): void;
}

/** Where to read again after `rewind()`: at `from` (null: nothing unsettled was tracked), i.e. right after `after`. */
export interface RewindPoint {
  from: string | null;
  after: string | null;
}

interface Entry {
  readonly position: string;
  readonly generation: number;
  state: 'pending' | 'settled' | 'rejected';
}

export class Checkpointer {
  readonly partition: string;
  private entries: Entry[] = [];
  private head = 0;
  private committedPosition: string | null;
  private generation = 0;
  private pendingCount = 0;
  private rejectedCount = 0;
  private idleWaiters: Array<() => void> = [];

  /** `committed`: the position committed before (e.g. the lease's checkpoint), null when none. */
  constructor(partition: string, committed: string | null = null) {
    this.partition = partition;
    this.committedPosition = committed;
  }

  /**
   * Registers the next position in source order. Null after a rejection until `rewind()`: the
   * record must not be delivered (a rejection can arrive during any await, so ask right before
   * delivering).
   */
  track(position: string): CheckpointHandle | null {
    if (this.rejectedCount > 0) return null;
    const entry: Entry = { position, generation: this.generation, state: 'pending' };
    this.entries.push(entry);
    this.pendingCount++;
    return { position, settle: () => this.finish(entry, 'settled'), reject: () => this.finish(entry, 'rejected') };
  }

  /** The highest position with it and everything before it settled (null: none yet). */
  get committed(): string | null {
    return this.committedPosition;
  }

  /** The first tracked position not settled (pending or rejected); null when everything tracked is settled. */
  get rewindTo(): string | null {
    return this.entries[this.head]?.position ?? null;
  }

  /** Tracked positions neither settled nor rejected. */
  get pending(): number {
    return this.pendingCount;
  }

  /** A tracked position was rejected: stop reading, wait for `idle()`, then `rewind()`. */
  get rejected(): boolean {
    return this.rejectedCount > 0;
  }

  /** Resolves when no tracked position is pending. */
  idle(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Forgets everything tracked and returns where to read again. Handles of earlier positions are
   * ignored from now on: call it once `idle()` resolved, or a late settle is lost (read again).
   */
  rewind(): RewindPoint {
    const point = { from: this.rewindTo, after: this.committedPosition };
    this.entries = [];
    this.head = 0;
    this.generation++;
    this.pendingCount = 0;
    this.rejectedCount = 0;
    this.notifyIdle();
    return point;
  }

  private finish(entry: Entry, state: 'settled' | 'rejected'): void {
    if (entry.generation !== this.generation || entry.state !== 'pending') return;
    entry.state = state;
    this.pendingCount--;
    if (state === 'rejected') this.rejectedCount++;
    this.advance();
    if (this.pendingCount === 0) this.notifyIdle();
  }

  private advance(): void {
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head];
      if (!entry || entry.state !== 'settled') break;
      this.committedPosition = entry.position;
      this.head++;
    }
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

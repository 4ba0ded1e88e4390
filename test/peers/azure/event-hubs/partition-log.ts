/**
 * One Event Hubs partition: an append-only log of raw events with sequence numbers (from 0),
 * byte-position offsets (sent as strings) and enqueued times, plus retention truncation and
 * change notification for attached consumers.
 */

export interface StoredEvent {
  sequenceNumber: number;
  offset: number;
  enqueuedTimeMs: number;
  raw: Buffer;
  partitionKey: string | undefined;
  /** Extra message annotations the service stamps (e.g. IoT Hub's), typed rhea values allowed. */
  annotations: Record<string, unknown>;
}

export interface PartitionInfo {
  beginSequenceNumber: number;
  lastEnqueuedSequenceNumber: number;
  lastEnqueuedOffset: string;
  lastEnqueuedTimeUtc: Date;
  isEmpty: boolean;
}

export interface AppendOptions {
  partitionKey?: string | undefined;
  annotations?: Record<string, unknown>;
  enqueuedTimeMs?: number;
}

export class PartitionLog {
  readonly id: string;
  private readonly events: StoredEvent[] = [];
  private nextSequenceNumber = 0;
  private nextOffset = 0;
  private lastEnqueuedTimeMs = 0;
  private readonly listeners = new Set<() => void>();

  constructor(id: string) {
    this.id = id;
  }

  append(raw: Buffer, opts: AppendOptions = {}): StoredEvent {
    const enqueuedTimeMs = Math.max(opts.enqueuedTimeMs ?? Date.now(), this.lastEnqueuedTimeMs);
    const event: StoredEvent = {
      sequenceNumber: this.nextSequenceNumber++,
      offset: this.nextOffset,
      enqueuedTimeMs,
      raw,
      partitionKey: opts.partitionKey,
      annotations: opts.annotations ?? {},
    };
    this.lastOffset = this.nextOffset;
    this.nextOffset += raw.length;
    this.lastEnqueuedTimeMs = enqueuedTimeMs;
    this.events.push(event);
    return event;
  }

  /** Wakes attached consumers; call once after a group of appends. */
  notify(): void {
    for (const fn of [...this.listeners]) fn();
  }

  onAppend(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The offset of the last event appended (-1: none yet); retention does not move it. */
  lastOffset = -1;

  /** The sequence number the next appended event gets. */
  get endSequenceNumber(): number {
    return this.nextSequenceNumber;
  }

  get beginSequenceNumber(): number {
    return this.events[0]?.sequenceNumber ?? this.nextSequenceNumber;
  }

  /** The retained event with this sequence number, if any. */
  at(sequenceNumber: number): StoredEvent | undefined {
    const first = this.events[0];
    if (first === undefined) return undefined;
    return this.events[sequenceNumber - first.sequenceNumber];
  }

  /** The first retained event's sequence number at or after which `pred` holds (end if none). */
  firstWhere(pred: (e: StoredEvent) => boolean): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = this.events[mid];
      if (e !== undefined && pred(e)) hi = mid;
      else lo = mid + 1;
    }
    return this.events[lo]?.sequenceNumber ?? this.nextSequenceNumber;
  }

  /** Drops events older than `sequenceNumber` (retention). */
  truncateBefore(sequenceNumber: number): number {
    const first = this.events[0];
    if (first === undefined) return 0;
    const n = Math.max(0, Math.min(this.events.length, sequenceNumber - first.sequenceNumber));
    this.events.splice(0, n);
    return n;
  }

  size(): number {
    return this.events.length;
  }

  list(): readonly StoredEvent[] {
    return this.events;
  }

  info(): PartitionInfo {
    const last = this.events[this.events.length - 1];
    const hasAny = this.nextSequenceNumber > 0;
    return {
      beginSequenceNumber: this.beginSequenceNumber,
      lastEnqueuedSequenceNumber: hasAny ? this.nextSequenceNumber - 1 : -1,
      lastEnqueuedOffset: last === undefined ? '-1' : String(last.offset),
      lastEnqueuedTimeUtc: new Date(hasAny ? this.lastEnqueuedTimeMs : 0),
      isEmpty: this.events.length === 0,
    };
  }
}

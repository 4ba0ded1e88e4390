/**
 * One partition this instance reads (one SDK partition pump): hands each batch the SDK gives
 * `processEvents` to the pipeline with the partition's checkpoint, up to `maxInFlight` deliveries
 * at once (the next receive overlaps the commit), and tracks them in a Checkpointer.
 *
 * The SDK resumes a pump right after what it last *received*, so after a rejected delivery the
 * reader must read again from the *committed* checkpoint, which only a new pump does (the SDK
 * starts one at `listCheckpoints`' position). So (ADR 013): once a delivery is rejected, the
 * reader waits for the later ones to settle and for the pipeline's `retryAfterMs`, and throws
 * `StopPartition` from `processEvents`, which makes the SDK stop the pump. The lease stays ours; the
 * lease checkpoint store lists it to this instance's balancer as free (`rewound`), so the SDK claims
 * it again at its next cycle (a renewal, same token) and a new pump reads from the checkpoint. When the lease was lost (LEASE_LOST
 * naming this partition, or the store says another instance claimed it), the reader stops for good
 * and delivers nothing more; what it had in flight is refused by the store's fencing.
 */
import type { DeliveryReport } from '../../core/connector.ts';
import type { Clock } from '../../core/clock.ts';
import { Checkpointer } from '../../core/checkpointer.ts';
import { CloudbridgeError, retryAfterMs, toCloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { DedupeMode, UplinkMessage } from '../../core/model.ts';
import type { DeliveryCheckpoint, LeaseToken } from '../../core/partitions.ts';
import { Semaphore } from '../../core/semaphore.ts';
import type { ReceivedEventData } from './event-hubs-api.ts';
import { formatPosition, parsePosition } from './position.ts';
import { toUplinkMessage } from './uplink-message.ts';

/** Thrown from processEvents to make the SDK stop the partition's pump (never reported as an error). */
export class StopPartition extends Error {
  readonly retryable = false;
  readonly why: 'rewind' | 'lost';
  constructor(why: 'rewind' | 'lost') {
    super(`partition reader stopped (${why})`);
    this.why = why;
    this.name = 'StopPartition';
  }
}

/** `rewound`: stopped after a rejection; the SDK is to start a new pump at the committed checkpoint. */
export type PartitionReaderState = 'reading' | 'rewinding' | 'rewound' | 'lost' | 'stopping';

export interface LastEnqueued {
  sequenceNumber?: number | undefined;
  enqueuedOn?: Date | undefined;
}

export interface PartitionReaderOptions {
  partitionId: string;
  /** The lease key (ADR 013). */
  partition: string;
  eventHubName: string;
  lease: LeaseToken;
  /** The checkpoint the claim returned (`sequence@offset`), null: none yet. */
  checkpoint: string | null;
  maxInFlight: number;
  dedupe: DedupeMode;
  deliver(messages: UplinkMessage[], checkpoint: DeliveryCheckpoint, signal: AbortSignal): Promise<DeliveryReport>;
  /** Aborted when the source's drain time is over. */
  deliverySignal: AbortSignal;
  /** Is the lease still ours? (asked when a LEASE_LOST does not name the partition) */
  stillOwned(): Promise<boolean>;
  clock: Clock;
  log: Logger;
}

export class PartitionReader {
  readonly partitionId: string;
  readonly lease: LeaseToken;
  state: PartitionReaderState = 'reading';
  readonly counters = { events: 0, committed: 0, rewinds: 0 };
  lastEnqueued: LastEnqueued | null = null;
  /** The last event handed to the pipeline. */
  lastRead: { sequenceNumber: number; enqueuedMs: number } | null = null;
  lastCommitAt: number | null = null;
  private readonly o: PartitionReaderOptions;
  private readonly checkpointer: Checkpointer;
  private readonly window: Semaphore;
  private readonly abort = new AbortController();
  private readonly signal: AbortSignal;
  private rejection: CloudbridgeError | null = null;

  constructor(o: PartitionReaderOptions) {
    this.o = o;
    this.partitionId = o.partitionId;
    this.lease = o.lease;
    this.checkpointer = new Checkpointer(o.partition, o.checkpoint);
    this.window = new Semaphore(o.maxInFlight);
    this.signal = AbortSignal.any([o.deliverySignal, this.abort.signal]);
  }

  /** The state, read again after an await (it changes under it). */
  private get current(): PartitionReaderState {
    return this.state;
  }

  get committed(): string | null {
    return this.checkpointer.committed;
  }

  get committedSequenceNumber(): number | null {
    return parsePosition(this.checkpointer.committed)?.sequenceNumber ?? null;
  }

  /** Resolves when no delivery of this reader is pending. */
  idle(): Promise<void> {
    return this.checkpointer.idle();
  }

  /** The SDK's processEvents: hands the batch over once the window has room (see the file comment). */
  async process(events: ReceivedEventData[], lastEnqueued: LastEnqueued | undefined): Promise<void> {
    if (lastEnqueued) this.lastEnqueued = lastEnqueued;
    if (this.state === 'lost') throw new StopPartition('lost');
    if (this.state !== 'reading') return;
    if (this.checkpointer.rejected) return this.rewind();
    const last = events.at(-1);
    if (!last) return;
    try {
      await this.window.acquire(1, this.abort.signal);
    } catch {
      if (this.current === 'lost') throw new StopPartition('lost');
      return;
    }
    if (this.current !== 'reading') {
      this.window.release();
      if (this.current === 'lost') throw new StopPartition('lost');
      return;
    }
    const position = formatPosition({ sequenceNumber: last.sequenceNumber, offset: String(last.offset) });
    const handle = this.checkpointer.track(position);
    if (!handle) {
      this.window.release();
      return this.rewind();
    }
    const receivedAt = this.o.clock.now();
    const messages = events.map((e) => toUplinkMessage(e, { eventHubName: this.o.eventHubName, partitionId: this.partitionId, receivedAt, dedupe: this.o.dedupe }));
    this.counters.events += events.length;
    this.lastRead = { sequenceNumber: last.sequenceNumber, enqueuedMs: last.enqueuedTimeUtc.getTime() };
    const count = messages.length;
    void this.o.deliver(messages, { partition: this.o.partition, position, lease: this.lease }, this.signal).then(
      () => {
        handle.settle();
        this.counters.committed += count;
        this.lastCommitAt = this.o.clock.now();
      },
      (err: unknown) => {
        this.rejection ??= toCloudbridgeError(err, 'STORE_UNAVAILABLE');
        handle.reject();
      },
    ).finally(() => this.window.release());
  }

  /** Intake stops (the source is stopping): nothing more is delivered; what is in flight settles. */
  halt(): void {
    if (this.state === 'reading' || this.state === 'rewinding') this.state = 'stopping';
  }

  /** The lease is gone: deliver nothing more; deliveries still waiting for admission give up. */
  markLost(): void {
    if (this.state === 'lost') return;
    this.state = 'lost';
    this.abort.abort(new CloudbridgeError('LEASE_LOST', `the lease of partition ${this.partitionId} was taken over`, { partition: this.o.partition }));
  }

  /**
   * After a rejection: wait for the later deliveries (ordered settlement rejects them too), then
   * either stop for good (our lease was lost) or wait the retry delay and stop the pump (`rewound`):
   * the lease checkpoint store then shows the partition to this instance's balancer as free, which
   * claims it again (a renewal: same token) and starts a new pump at the committed checkpoint.
   */
  private async rewind(): Promise<never> {
    this.state = 'rewinding';
    await this.checkpointer.idle();
    const error = this.rejection ?? new CloudbridgeError('STORE_UNAVAILABLE', 'a delivery was not committed');
    if (error.code === 'LEASE_LOST' && await this.leaseIsGone(error)) {
      this.markLost();
      this.o.log.info({ partitionId: this.partitionId }, 'Event Hubs partition lease taken over by another instance; this reader stops (nothing of its uncommitted work was stored)');
      throw new StopPartition('lost');
    }
    const delayMs = retryAfterMs(error) ?? 1000;
    this.o.log.warn({ partitionId: this.partitionId, code: error.code, err: error.message, retryInMs: delayMs, committed: this.checkpointer.committed }, 'delivery not committed; the partition is read again from its checkpoint');
    await this.sleep(delayMs);
    this.checkpointer.rewind();
    this.rejection = null;
    this.counters.rewinds++;
    if (this.current === 'rewinding') this.state = 'rewound';
    throw new StopPartition(this.current === 'lost' ? 'lost' : 'rewind');
  }

  private async leaseIsGone(error: CloudbridgeError): Promise<boolean> {
    const named = error.details.partition;
    if (typeof named === 'string') return named === this.o.partition;
    try {
      return !await this.o.stillOwned();
    } catch {
      return false;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.o.clock.clearTimeout(timer);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.o.clock.setTimeout(done, ms);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }
}

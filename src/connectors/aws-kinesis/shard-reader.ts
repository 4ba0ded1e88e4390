/**
 * One reader per owned shard: GetShardIterator at the checkpoint, then GetRecords → deliver →
 * GetRecords … until the shard ends or the reader is halted. Reads top to bottom in `run()`.
 *
 * - Every delivery carries the shard's checkpoint (the position of its last message) and the lease
 *   token: the store commits it with the data, or refuses the whole commit when the lease was taken
 *   over (LEASE_LOST), and the reader then stops: the new owner resumes at the checkpoint.
 * - Positions are tracked in a Checkpointer: `committed` never passes a rejected delivery. After a
 *   rejection (store down) the reader waits for the deliveries after it (ordered settlement rejects
 *   them too), rewinds to the committed position and reads again after the pipeline's retry delay.
 * - Deliveries of one shard are handed over in order, at most `maxDeliveriesInFlight` at a time
 *   (a Semaphore): the next GetRecords overlaps the commit of the previous answer.
 * - ProvisionedThroughputExceeded: back off (1 s doubling to 30 s), keep the iterator; counted and
 *   reported. ExpiredIterator: a new iterator right after the last record handed to the pipeline.
 * - At SHARD_END (a closed shard read to its end): once every delivery is committed, the checkpoint
 *   becomes SHARD_END, so the shard's children may be read.
 * - Polling: at most one GetRecords per `pollIntervalMs` (Kinesis allows 5 per second per shard),
 *   its Limit growing from INITIAL_RECORDS_LIMIT to maxRecords while the shard has a backlog.
 */
import { Backoff } from '../../core/backoff.ts';
import { Checkpointer } from '../../core/checkpointer.ts';
import type { Clock } from '../../core/clock.ts';
import type { DeliveryReport } from '../../core/connector.ts';
import { CloudbridgeError, retryAfterMs, toCloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { DedupeMode, UplinkMessage } from '../../core/model.ts';
import type { DeliveryCheckpoint, LeaseStore, LeaseToken } from '../../core/partitions.ts';
import { Semaphore } from '../../core/semaphore.ts';
import type { IteratorStart, KinesisApi } from './kinesis-api.ts';
import { isIteratorExpired, isNotFound, isThroughputExceeded } from './kinesis-errors.ts';
import { formatPosition, resumeFrom, SHARD_END, type ResumePoint } from './position.ts';
import { toShardMessages, type ShardMessage } from './uplink-message.ts';

/** Most messages in one delivery (a KPL aggregate of many user records is split). */
export const DELIVERY_MAX_MESSAGES = 1000;

/**
 * The GetRecords Limit a reader starts with (or maxRecords when smaller). It doubles while answers
 * come back full, up to maxRecords, and starts over after an empty answer: a backlog is read in
 * large calls, but the first records of a burst reach the pipeline without waiting for 10,000 of
 * them to be fetched, and their commit overlaps the next fetch.
 */
export const INITIAL_RECORDS_LIMIT = 1000;

export type ReaderState = 'reading' | 'finishing' | 'finished' | 'lost' | 'stopping';

export interface ReaderEvents {
  /** A Kinesis call failed (translated by the source); `null` when calls succeed again. */
  trouble(reader: ShardReader, error: CloudbridgeError | null, operation: string): void;
  throttled(reader: ShardReader): void;
  /** The shard's lease was taken over (a delivery or checkpoint was fenced out). */
  lost(reader: ShardReader): void;
  /** SHARD_END is checkpointed: children may be read; the lease may be released. */
  finished(reader: ShardReader): void;
  /** GetShardIterator said the shard does not exist: true when it left the stream (retention), so it counts as finished. */
  shardGone(reader: ShardReader): Promise<boolean>;
}

export interface ShardReaderOptions {
  streamName: string;
  shardId: string;
  partition: string;
  lease: LeaseToken;
  /** Lease expiry as the store reported it (renewals move it). */
  expiresAt: number;
  checkpoint: string | null;
  /** Where a shard without checkpoint starts. */
  fallback: IteratorStart;
  maxRecords: number;
  pollIntervalMs: number;
  maxDeliveriesInFlight: number;
  /** Lease duration, for a renewal that checks whether a LEASE_LOST rollback was about this shard. */
  leaseTtlMs: number;
  dedupe: DedupeMode;
  api: () => KinesisApi;
  leases: LeaseStore;
  deliver(messages: UplinkMessage[], checkpoint: DeliveryCheckpoint, signal: AbortSignal): Promise<DeliveryReport>;
  /** Aborted when the source's drain time is over: deliveries still waiting for admission give up. */
  deliverySignal?: AbortSignal | undefined;
  events: ReaderEvents;
  clock: Clock;
  log: Logger;
  random?: (() => number) | undefined;
}

/** Thrown inside the loop: the reader rewinds to the committed position after `delayMs`. */
class Rewind extends Error {
  readonly delayMs: number;
  readonly error: CloudbridgeError;

  constructor(error: CloudbridgeError, delayMs: number) {
    super(error.message);
    this.error = error;
    this.delayMs = delayMs;
  }
}

export class ShardReader {
  readonly shardId: string;
  readonly partition: string;
  readonly lease: LeaseToken;
  expiresAt: number;
  state: ReaderState = 'reading';
  millisBehindLatest: number | null = null;
  readonly counters = { getRecords: 0, records: 0, messages: 0, committed: 0, throttled: 0, iteratorsExpired: 0, rewinds: 0, errors: 0 };
  lastGetRecordsAt: number | null = null;
  lastCommitAt: number | null = null;
  /** Resolves when the reader ended (halted, lost or finished) and its deliveries settled. */
  readonly done: Promise<void>;
  private readonly o: ShardReaderOptions;
  private readonly fetchAbort = new AbortController();
  private readonly deliverAbort = new AbortController();
  private readonly deliverSignal: AbortSignal;
  private readonly throttleBackoff: Backoff;
  private readonly errorBackoff: Backoff;
  private readonly checkpointer: Checkpointer;
  private readonly window: Semaphore;
  /** Why the first delivery rejected since the last rewind was rejected. */
  private rejection: CloudbridgeError | null = null;
  private troubled = false;
  private waker: (() => void) | null = null;
  private startLoop: () => void = () => undefined;

  constructor(o: ShardReaderOptions) {
    this.o = o;
    this.shardId = o.shardId;
    this.partition = o.partition;
    this.lease = o.lease;
    this.expiresAt = o.expiresAt;
    this.checkpointer = new Checkpointer(o.partition, o.checkpoint);
    this.window = new Semaphore(o.maxDeliveriesInFlight);
    this.deliverSignal = o.deliverySignal ? AbortSignal.any([o.deliverySignal, this.deliverAbort.signal]) : this.deliverAbort.signal;
    this.throttleBackoff = new Backoff({ initialMs: 1000, maxMs: 30_000, random: o.random });
    this.errorBackoff = new Backoff({ initialMs: 1000, maxMs: 30_000, random: o.random });
    this.done = new Promise<void>((resolve) => { this.startLoop = resolve; }).then(() => this.run()).catch((err: unknown) => {
      this.o.log.error({ shardId: this.shardId, err: toCloudbridgeError(err).message }, 'shard reader failed');
    });
  }

  get active(): boolean {
    return this.state === 'reading';
  }

  /** The position committed last (what a new owner would resume from); SHARD_END once finished. */
  get committed(): string | null {
    return this.state === 'finished' ? SHARD_END : this.checkpointer.committed;
  }

  start(): void {
    this.startLoop();
  }

  /** Stops fetching; the deliveries handed over go on settling (`done` resolves when they have). */
  halt(): void {
    if (this.state === 'reading' || this.state === 'finishing') this.state = 'stopping';
    this.fetchAbort.abort(new CloudbridgeError('SHUTTING_DOWN', 'the shard reader stopped'));
  }

  /** The lease is gone (renewal refused, or expired while the store was unreachable): stop at once. */
  markLost(): void {
    if (this.state === 'finished' || this.state === 'lost') return;
    this.state = 'lost';
    this.fetchAbort.abort(new CloudbridgeError('LEASE_LOST', `lease of ${this.shardId} lost`));
    this.deliverAbort.abort(new CloudbridgeError('LEASE_LOST', `lease of ${this.shardId} lost`));
  }

  private async run(): Promise<void> {
    const { api, streamName, shardId, clock } = this.o;
    let resume: ResumePoint = resumeFrom(this.checkpointer.committed, this.o.fallback);
    let iterator: string | null = null;
    let skip = resume.skip;
    let nextCallAt = 0;
    let gone = false;
    const firstLimit = Math.min(INITIAL_RECORDS_LIMIT, this.o.maxRecords);
    let limit = firstLimit;
    while (this.active) {
      try {
        this.reap();
        if (gone) {
          await this.finish();
          return;
        }
        if (iterator === null) {
          iterator = await api().getShardIterator(streamName, shardId, resume.start, this.fetchAbort.signal);
          skip = resume.skip;
        }
        await this.nap(nextCallAt - clock.now());
        if (!this.active) break;
        this.reap();
        nextCallAt = clock.now() + this.o.pollIntervalMs;
        this.counters.getRecords++;
        const res = await api().getRecords(iterator, limit, this.fetchAbort.signal);
        limit = res.records.length >= limit ? Math.min(this.o.maxRecords, limit * 2) : res.records.length === 0 ? firstLimit : limit;
        this.lastGetRecordsAt = clock.now();
        this.millisBehindLatest = res.millisBehindLatest;
        this.throttleBackoff.reset();
        this.errorBackoff.reset();
        this.clearTrouble();
        if (res.records.length > 0) {
          this.counters.records += res.records.length;
          const { messages } = toShardMessages(res.records, { streamName, shardId, receivedAt: clock.now(), dedupe: this.o.dedupe, skip });
          skip = undefined;
          // After an expired iterator, resume right after the last record read (or rewind on failure).
          resume = { start: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: (res.records.at(-1) as { sequenceNumber: string }).sequenceNumber } };
          for (let i = 0; i < messages.length; i += DELIVERY_MAX_MESSAGES) {
            await this.hand(messages.slice(i, i + DELIVERY_MAX_MESSAGES));
          }
        }
        iterator = res.nextShardIterator;
        if (iterator === null) {
          await this.finish();
          return;
        }
      } catch (err) {
        if (err instanceof Rewind) {
          await this.rewound(err);
          if (!this.active) break;
          resume = resumeFrom(this.checkpointer.committed, this.o.fallback);
          iterator = null;
          nextCallAt = 0;
          await this.nap(err.delayMs);
        } else if (!this.active) {
          break;
        } else if (isIteratorExpired(err)) {
          this.counters.iteratorsExpired++;
          this.o.log.info({ shardId }, 'shard iterator expired; getting a new one after the last record read');
          iterator = null;
        } else if (isThroughputExceeded(err)) {
          this.counters.throttled++;
          this.o.events.throttled(this);
          await this.nap(this.throttleBackoff.next());
        } else if (iterator === null && isNotFound(err) && await this.o.events.shardGone(this)) {
          this.o.log.warn({ shardId }, 'the shard left the stream (retention) before it was read to its end; counted as finished');
          gone = true;
        } else {
          this.counters.errors++;
          const op = iterator === null ? 'GetShardIterator' : 'GetRecords';
          this.troubled = true;
          this.o.events.trouble(this, toCloudbridgeError(err), op);
          await this.nap(this.errorBackoff.next());
        }
      }
    }
    // Halted or lost: the deliveries handed over settle before the lease is released.
    await this.checkpointer.idle();
  }

  private clearTrouble(): void {
    if (!this.troubled) return;
    this.troubled = false;
    this.o.events.trouble(this, null, 'GetRecords');
  }

  /** Sleeps `ms` (resolves at once when halted, or when a delivery failed and the reader must rewind). */
  private nap(ms: number): Promise<void> {
    if (ms <= 0 || this.fetchAbort.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.o.clock.clearTimeout(timer);
        this.fetchAbort.signal.removeEventListener('abort', done);
        if (this.waker === done) this.waker = null;
        resolve();
      };
      const timer = this.o.clock.setTimeout(done, ms);
      this.fetchAbort.signal.addEventListener('abort', done, { once: true });
      this.waker = done;
    });
  }

  /** Hands one delivery to the pipeline, once this shard's window has room. */
  private async hand(messages: ShardMessage[]): Promise<void> {
    const last = messages.at(-1);
    if (!last) return;
    await this.window.acquire(1, this.fetchAbort.signal);
    const position = formatPosition(last.position);
    const handle = this.checkpointer.track(position);
    if (!handle) {
      // A delivery before it was rejected meanwhile: nothing more is handed over until the rewind.
      this.window.release();
      this.reap();
      return;
    }
    const count = messages.length;
    this.counters.messages += count;
    void this.o.deliver(messages.map((m) => m.message), { partition: this.partition, position, lease: this.lease }, this.deliverSignal).then(
      () => {
        handle.settle();
        this.counters.committed += count;
        this.lastCommitAt = this.o.clock.now();
      },
      (err: unknown) => {
        this.rejection ??= toCloudbridgeError(err, 'STORE_UNAVAILABLE');
        handle.reject();
        this.waker?.();
      },
    ).finally(() => this.window.release());
  }

  /** After a rejection: throws Rewind (with the pipeline's retry delay) until the reader rewound. */
  private reap(): void {
    if (!this.checkpointer.rejected) return;
    const error = this.rejection ?? new CloudbridgeError('STORE_UNAVAILABLE', 'a delivery was not committed');
    throw new Rewind(error, retryAfterMs(error) ?? this.errorBackoff.next());
  }

  /**
   * After a rejected delivery: waits for the later ones (none of them may move the checkpoint past
   * the rejected one; ordered settlement rejects them), forgets them, and stops when it was this
   * shard's lease that was lost.
   */
  private async rewound(err: Rewind): Promise<void> {
    await this.checkpointer.idle();
    this.checkpointer.rewind();
    this.rejection = null;
    if (err.error.code === 'LEASE_LOST' && await this.leaseIsGone(err.error)) {
      this.fenced();
      return;
    }
    if (!this.active) return;
    this.counters.rewinds++;
    this.o.log.warn({ shardId: this.shardId, code: err.error.code, err: err.error.message, retryInMs: err.delayMs, committed: this.checkpointer.committed }, 'delivery not committed; rewinding the shard to its checkpoint');
  }

  /**
   * A commit rolled back with LEASE_LOST: was it this shard's lease? The commit may have carried
   * another shard's checkpoint too (that shard's lease was taken, this one is fine: rewind and go
   * on). Asked of the store when the error does not name the partition.
   */
  private async leaseIsGone(error: CloudbridgeError): Promise<boolean> {
    const named = error.details.partition;
    if (typeof named === 'string') return named === this.partition;
    try {
      const renewed = await this.o.leases.renew(this.partition, this.lease, this.o.leaseTtlMs);
      if (renewed) this.expiresAt = renewed.expiresAt;
      return renewed === null;
    } catch {
      return false;
    }
  }

  private fenced(): void {
    if (this.state !== 'reading' && this.state !== 'finishing') return;
    this.markLost();
    this.o.log.info({ shardId: this.shardId }, 'lease taken over by another instance; this reader stops (nothing of its uncommitted work was stored)');
    this.o.events.lost(this);
  }

  /** SHARD_END: every delivery committed, then the checkpoint SHARD_END (retried until it is written or the lease is lost). */
  private async finish(): Promise<void> {
    await this.checkpointer.idle();
    this.reap();
    if (this.state !== 'reading') return;
    this.state = 'finishing';
    for (;;) {
      try {
        const ok = await this.o.leases.checkpoint(this.partition, this.lease, SHARD_END);
        if (!ok) {
          this.fenced();
          return;
        }
        this.state = 'finished';
        this.o.log.info({ shardId: this.shardId }, 'shard read to its end and checkpointed (SHARD_END)');
        this.o.events.finished(this);
        return;
      } catch (err) {
        if (this.state !== 'finishing') return;
        this.o.log.warn({ shardId: this.shardId, err: toCloudbridgeError(err).message }, 'could not write the SHARD_END checkpoint; retrying');
        await this.nap(this.errorBackoff.next());
        if (this.state !== 'finishing') return;
      }
    }
  }
}

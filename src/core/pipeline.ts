/**
 * The ingest pipeline of one integration: connectors hand messages to `deliver()`; the pipeline
 * coalesces them into batches (bounded by count and time), converts, validates, commits ONE
 * store transaction per batch and only then resolves the deliveries, so connectors acknowledge
 * only what is durably committed (results or dead letters).
 *
 * In-flight work is bounded by messages and bytes: `deliver()` waits for room (backpressure).
 *
 * Ordered settlement: batches commit one after another, in delivery order. When a batch cannot be
 * committed (store unavailable, converters unable to run, lease lost), its deliveries and every
 * delivery queued behind it are rejected with a DeliveryRejectedError carrying the retry delay;
 * intake pauses for that delay, and a delivery offered during the pause (or admitted after a
 * failure it waited through) is rejected too. Nothing after a failed message commits before the
 * source redelivers it, so per device and per partition messages commit in source order.
 *
 * Two stages overlap: while one batch commits, the next one converts (ADR 012), so the sandbox
 * processes, the store's thread and this thread work at the same time. A converted batch waits
 * for the commit before it; a batch commits only if no failure happened since it started, so the
 * order above holds with the overlap. Batches grow while the store is busy (everything queued,
 * up to maxBatchMessages) and shrink when it is idle (a batch starts maxBatchDelayMs after its
 * first message).
 *
 * Partitioned sources pass a checkpoint with a delivery; the commit of the batch holding the
 * delivery's last message writes it (the last one per partition), in the same transaction.
 */
import { Backoff } from './backoff.ts';
import { waitAtMost } from './bounded-wait.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { DeliveryOptions, DeliveryReport } from './connector.ts';
import { CloudbridgeError, DeliveryRejectedError, toCloudbridgeError, type ErrorCode } from './errors.ts';
import { silentLogger, type Logger } from './logger.ts';
import type { DeadLetterInput, UplinkMessage } from './model.ts';
import { buildCommit } from './batch-commit.ts';
import { checkpointsOf, type ConvertedBatch, type Delivery, type Entry } from './pipeline-entries.ts';
import { DEFAULT_PIPELINE_LIMITS, type PipelineLimits, type PipelineOptions, type PipelineStats } from './pipeline-options.ts';
import type { ConvertPort, MessageOutcome, UplinkItemResult } from './ports.ts';
import { Semaphore } from './semaphore.ts';

export { DEFAULT_PIPELINE_LIMITS, type PipelineLimits, type PipelineOptions, type PipelineStats } from './pipeline-options.ts';

/** Failures after which a batch is tried again later (the source redelivers); other errors become STORE_UNAVAILABLE. */
const RETRIED_AS_IS = new Set<ErrorCode>(['STORE_UNAVAILABLE', 'SANDBOX_UNAVAILABLE', 'LEASE_LOST']);

/** Why a committed message was dead-lettered: its converter outcome, else the store refused to provision its device. */
function deadLetterOf(outcome: MessageOutcome | undefined): DeadLetterInput {
  if (outcome?.kind === 'dead-letter') return outcome.deadLetter;
  return { stage: 'provision', errorCode: 'DEVICE_CREATION_FORBIDDEN', error: 'the device does not exist and the integration may not create devices' };
}

export class IngestPipeline {
  private readonly opts: PipelineOptions;
  private readonly limits: PipelineLimits;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly messageRoom: Semaphore;
  private readonly byteRoom: Semaphore;
  private readonly backoff: Backoff;
  private queue: Entry[] = [];
  /** A batch is converting. */
  private converting = false;
  /** A batch is committing. */
  private committing = false;
  /** A converted batch waiting for the commit before it. */
  private ready: ConvertedBatch | null = null;
  private timer: TimerHandle | null = null;
  private pausedUntil = 0;
  /** Batch failures so far: a delivery admitted after a failure it waited through is refused. */
  private failures = 0;
  private lastFailure: CloudbridgeError | null = null;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly counters = { received: 0, stored: 0, deadLettered: 0, duplicates: 0, overwritten: 0, errors: 0, batches: 0 };
  private lastMessageAt: number | null = null;

  constructor(opts: PipelineOptions) {
    this.opts = opts;
    this.limits = { ...DEFAULT_PIPELINE_LIMITS, ...opts.limits };
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.messageRoom = new Semaphore(this.limits.maxInFlightMessages);
    this.byteRoom = new Semaphore(this.limits.maxInFlightBytes);
    this.backoff = new Backoff({ initialMs: opts.retry?.initialDelayMs ?? 500, maxMs: opts.retry?.maxDelayMs ?? 30_000 });
  }

  /** See ConnectorContext.deliver. */
  async deliver(messages: UplinkMessage[], signal?: AbortSignal, options: DeliveryOptions = {}): Promise<DeliveryReport> {
    if (messages.length === 0) return { stored: 0, deadLettered: 0, duplicates: 0 };
    if (this.closed) throw shuttingDown('the integration is stopping; the message was not accepted');
    const failuresBefore = this.failures;
    let bytes = 0;
    for (const m of messages) bytes += m.payload.byteLength;
    await this.admit(messages.length, bytes, signal);
    const refusal = this.closed ? shuttingDown('the integration is stopping; the message was not accepted') : this.refusal(failuresBefore);
    if (refusal) {
      this.releaseRoom(messages.length, bytes);
      throw refusal;
    }
    const now = this.clock.now();
    this.counters.received += messages.length;
    this.lastMessageAt = now;
    return new Promise<DeliveryReport>((resolve, reject) => {
      const delivery: Delivery = {
        messages, bytes, pending: messages.length, settled: false, checkpoint: options.checkpoint,
        report: { stored: 0, deadLettered: 0, duplicates: 0 }, resolve, reject,
      };
      messages.forEach((msg, index) => this.queue.push({ msg, delivery, index }));
      this.schedule();
    });
  }

  stats(): PipelineStats {
    return {
      ...this.counters,
      inFlightMessages: this.messageRoom.used,
      inFlightBytes: this.byteRoom.used,
      lastMessageAt: this.lastMessageAt,
      paused: this.clock.now() < this.pausedUntil,
    };
  }

  /** Resolves true when nothing is queued or running, false after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return true;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    return (await waitAtMost(idle, timeoutMs, this.clock)) || this.isIdle();
  }

  /** Stops accepting; queued but unprocessed messages are rejected (never acked). */
  close(): void {
    this.closed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const err = shuttingDown('the integration stopped before the message was committed');
    const queued = this.queue;
    this.queue = [];
    for (const entry of queued) this.failEntry(entry, err);
    this.messageRoom.close(err);
    this.byteRoom.close(err);
    this.notifyIdle();
  }

  /** Waits for room for a delivery: messages first, then bytes (every delivery in the same order, so none deadlocks). */
  private async admit(messages: number, bytes: number, signal: AbortSignal | undefined): Promise<void> {
    await this.messageRoom.acquire(messages, signal);
    try {
      await this.byteRoom.acquire(bytes, signal);
    } catch (err) {
      this.messageRoom.release(messages);
      throw err;
    }
  }

  private releaseRoom(messages: number, bytes: number): void {
    this.messageRoom.release(messages);
    this.byteRoom.release(bytes);
  }

  /** Why a delivery admitted now must be refused: intake is paused, or a batch failed while it waited for room. */
  private refusal(failuresBefore: number): DeliveryRejectedError | null {
    const pauseLeftMs = this.pausedUntil - this.clock.now();
    if (pauseLeftMs <= 0 && this.failures === failuresBefore) return null;
    const cause = this.lastFailure ?? new CloudbridgeError('STORE_UNAVAILABLE', 'a commit failed');
    return new DeliveryRejectedError(cause, Math.max(0, pauseLeftMs));
  }

  private isIdle(): boolean {
    return !this.converting && !this.committing && this.ready === null && this.queue.length === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** The conversion stage can take a batch: none converting, none waiting to commit. */
  private canConvert(): boolean {
    return !this.converting && this.ready === null && !this.closed && this.queue.length > 0;
  }

  private schedule(): void {
    if (!this.canConvert()) return;
    const pauseLeft = this.pausedUntil - this.clock.now();
    if (pauseLeft > 0) {
      this.armTimer(pauseLeft);
      return;
    }
    if (this.queue.length >= this.limits.maxBatchMessages) {
      this.runNow();
      return;
    }
    this.armTimer(this.limits.maxBatchDelayMs);
  }

  private armTimer(ms: number): void {
    if (this.timer) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.runNow();
    }, ms);
  }

  private runNow(): void {
    if (this.timer) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.canConvert()) return;
    if (this.clock.now() < this.pausedUntil) {
      this.schedule();
      return;
    }
    const batch = this.queue.splice(0, this.batchEnd());
    this.converting = true;
    void this.convertBatch(batch).then((converted) => {
      this.converting = false;
      if (converted !== null) {
        if (this.committing) this.ready = converted;
        else this.startCommit(converted);
      }
      this.afterStage();
    });
  }

  private startCommit(converted: ConvertedBatch): void {
    this.committing = true;
    void this.commitBatch(converted).then(() => {
      this.committing = false;
      const next = this.ready;
      this.ready = null;
      if (next !== null) this.startCommit(next);
      this.afterStage();
    });
  }

  /** After a stage ended: the next batch converts now if messages are queued (the store was busy). */
  private afterStage(): void {
    if (this.queue.length > 0) this.runNow();
    else this.notifyIdle();
  }

  /**
   * How many queued entries the next batch takes: up to maxBatchMessages, but a delivery with a
   * checkpoint is never split (its data and its position commit together): the batch ends before
   * it, or takes it whole when it comes first.
   */
  private batchEnd(): number {
    const end = Math.min(this.limits.maxBatchMessages, this.queue.length);
    const last = this.queue[end - 1];
    if (!last?.delivery.checkpoint || last.index === last.delivery.messages.length - 1) return end;
    const start = end - 1 - last.index;
    return start > 0 ? start : last.delivery.messages.length;
  }

  /** Converts the batch; null when it cannot be (converters unavailable: the batch was failed). */
  private async convertBatch(batch: Entry[]): Promise<ConvertedBatch | null> {
    const failuresAtStart = this.failures;
    const messages = batch.map((e) => e.msg);
    try {
      const conversions = await this.convertSafely(messages);
      const commit = buildCommit({
        integrationId: this.opts.integrationId,
        allowCreateDevices: this.opts.allowCreateDevices(),
        messages, conversions, checkpoints: checkpointsOf(batch), forward: this.opts.forward?.() ?? [],
        debug: this.opts.debug, now: this.clock.now(),
      });
      return { batch, messages, commit, failuresAtStart };
    } catch (err) {
      this.onBatchFailure(batch, err);
      return null;
    }
  }

  private async commitBatch({ batch, messages, commit, failuresAtStart }: ConvertedBatch): Promise<void> {
    // A batch before this one failed after it was taken: the source redelivers that one first.
    const refusal = this.refusal(failuresAtStart);
    if (refusal !== null) {
      for (const entry of batch) this.failEntry(entry, refusal);
      return;
    }
    let results: UplinkItemResult[];
    try {
      results = (await this.opts.commit(commit)).results;
    } catch (err) {
      this.onBatchFailure(batch, err);
      return;
    }
    // A later batch's conversion may have failed meanwhile: its pause stands.
    if (this.failures === failuresAtStart) {
      this.backoff.reset();
      if (this.pausedUntil !== 0) {
        this.pausedUntil = 0;
        this.opts.onPause?.(false);
      }
    }
    const report: DeliveryReport = { stored: 0, deadLettered: 0, duplicates: 0 };
    batch.forEach((entry, i) => {
      const r = results[i];
      const d = entry.delivery.report;
      if (r?.status === 'stored') { d.stored++; report.stored++; this.counters.overwritten += r.overwritten ?? 0; }
      else if (r?.status === 'duplicate') { d.duplicates++; report.duplicates++; }
      else {
        d.deadLettered++;
        report.deadLettered++;
        (d.deadLetters ??= []).push({ index: entry.index, ...deadLetterOf(commit.items[i]?.outcome) });
      }
      this.settleEntry(entry);
    });
    this.counters.batches++;
    this.counters.stored += report.stored;
    this.counters.deadLettered += report.deadLettered;
    this.counters.duplicates += report.duplicates;
    this.opts.onCommitted?.(messages, this.clock.now());
  }

  /** Converts the messages that need the converter; those carrying `records` keep them (UplinkMessage.records). */
  private async convertSafely(messages: UplinkMessage[]): ReturnType<ConvertPort> {
    const toConvert = messages.filter((m) => m.records === undefined);
    if (toConvert.length === messages.length) return this.runConverter(messages);
    const converted = toConvert.length === 0 ? [] : await this.runConverter(toConvert);
    let next = 0;
    return messages.map((m) => {
      if (m.records !== undefined) return { ok: true, records: m.records, raw: { records: m.records } };
      return converted[next++] ?? { ok: false, stage: 'convert', error: new CloudbridgeError('INTERNAL', 'the converter returned no result for this message') };
    });
  }

  private async runConverter(messages: UplinkMessage[]): ReturnType<ConvertPort> {
    try {
      return await this.opts.convert(messages);
    } catch (err) {
      const error = toCloudbridgeError(err, 'CONVERTER_RUNTIME');
      // The converters cannot run at all for now: not the messages' fault, try again later.
      if (error.code === 'SANDBOX_UNAVAILABLE') throw error;
      // The runtime itself broke (not a script error): dead-letter rather than loop forever.
      this.log.error({ err: error.message }, 'converter runtime failed for a whole batch');
      return messages.map(() => ({ ok: false as const, stage: 'convert' as const, error }));
    }
  }

  /**
   * A store failure, converters that cannot run at all, a lost lease: nothing is acknowledged. The
   * batch and everything queued behind it are rejected with the retry delay, and intake pauses for it.
   */
  private onBatchFailure(batch: Entry[], err: unknown): void {
    const cause = toCloudbridgeError(err, 'STORE_UNAVAILABLE');
    const error = RETRIED_AS_IS.has(cause.code) ? cause
      : new CloudbridgeError('STORE_UNAVAILABLE', `commit failed: ${cause.message}`, {}, { cause: err });
    const delayMs = this.backoff.next();
    this.pausedUntil = this.clock.now() + delayMs;
    this.failures++;
    this.lastFailure = error;
    this.counters.errors++;
    const queued = this.queue;
    this.queue = [];
    this.log.warn({ code: error.code, err: error.message, retryInMs: delayMs, rejectedMessages: batch.length + queued.length }, PAUSE_MESSAGES[error.code] ?? 'store commit failed; intake paused');
    this.opts.onPause?.(true, error);
    const rejection = new DeliveryRejectedError(error, delayMs);
    for (const entry of batch) this.failEntry(entry, rejection);
    for (const entry of queued) this.failEntry(entry, rejection);
  }

  private settleEntry(entry: Entry): void {
    const d = entry.delivery;
    d.pending--;
    if (d.pending > 0) return;
    this.releaseRoom(d.messages.length, d.bytes);
    if (!d.settled) {
      d.settled = true;
      d.resolve(d.report);
    }
  }

  private failEntry(entry: Entry, err: unknown): void {
    const d = entry.delivery;
    d.pending--;
    if (!d.settled) {
      d.settled = true;
      d.reject(err);
    }
    if (d.pending === 0) this.releaseRoom(d.messages.length, d.bytes);
  }
}

const PAUSE_MESSAGES: Partial<Record<ErrorCode, string>> = {
  SANDBOX_UNAVAILABLE: 'converters cannot run; intake paused',
  LEASE_LOST: 'a partition lease was lost; the batch was not stored, intake paused',
};

function shuttingDown(message: string): DeliveryRejectedError {
  return new DeliveryRejectedError(new CloudbridgeError('SHUTTING_DOWN', message), 0);
}

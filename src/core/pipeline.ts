/**
 * The ingest pipeline of one integration: connectors hand messages to `deliver()`; the pipeline
 * coalesces them into batches (bounded by count and time), converts, validates, commits ONE
 * store transaction per batch and only then resolves the deliveries, so connectors acknowledge
 * only what is durably committed (results or dead letters).
 *
 * In-flight work is bounded by messages and bytes: `deliver()` waits for room (backpressure).
 * A store failure (or converters that cannot run at all) rejects the batch's deliveries (no ack),
 * pauses intake and retries with backoff.
 */
import { Backoff } from './backoff.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { DeliveryReport } from './connector.ts';
import { CloudbridgeError, toCloudbridgeError } from './errors.ts';
import { silentLogger, type Logger } from './logger.ts';
import type { UplinkMessage } from './model.ts';
import { AdmissionGate } from './admission-gate.ts';
import { buildCommit, type DebugPolicy } from './batch-commit.ts';
import type { CommitPort, ConvertPort, UplinkItemResult } from './ports.ts';

export interface PipelineLimits {
  /** Max messages accepted but not yet settled. */
  maxInFlightMessages: number;
  /** Max payload bytes accepted but not yet settled. */
  maxInFlightBytes: number;
  /** Max messages per store transaction. */
  maxBatchMessages: number;
  /** Max time the first message of a batch waits for more before the batch runs. */
  maxBatchDelayMs: number;
}

export const DEFAULT_PIPELINE_LIMITS: PipelineLimits = {
  maxInFlightMessages: 10_000,
  maxInFlightBytes: 64 * 1024 * 1024,
  maxBatchMessages: 1000,
  maxBatchDelayMs: 5,
};

export interface PipelineStats {
  received: number;
  stored: number;
  deadLettered: number;
  duplicates: number;
  /** Stored points replaced by a different value from another message (see IntegrationCounters). */
  overwritten: number;
  errors: number;
  batches: number;
  inFlightMessages: number;
  inFlightBytes: number;
  lastMessageAt: number | null;
  paused: boolean;
}

export interface PipelineOptions {
  integrationId: string;
  convert: ConvertPort;
  commit: CommitPort;
  /** Read at every batch, so an update takes effect without a restart. */
  allowCreateDevices: () => boolean;
  debug?: DebugPolicy;
  limits?: Partial<PipelineLimits>;
  retry?: { initialDelayMs: number; maxDelayMs: number };
  clock?: Clock;
  log?: Logger;
  /** Called after a batch committed, with its messages (latency metrics, benchmarks). */
  onCommitted?: (messages: UplinkMessage[], committedAt: number) => void;
  /** Called when a store failure pauses intake, and when intake resumes. */
  onPause?: (paused: boolean, error?: CloudbridgeError) => void;
}

interface Delivery {
  messages: UplinkMessage[];
  bytes: number;
  pending: number;
  report: DeliveryReport;
  resolve: (r: DeliveryReport) => void;
  reject: (e: unknown) => void;
  settled: boolean;
}

interface Entry {
  msg: UplinkMessage;
  delivery: Delivery;
}

export class IngestPipeline {
  private readonly opts: PipelineOptions;
  private readonly limits: PipelineLimits;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly gate: AdmissionGate;
  private readonly backoff: Backoff;
  private queue: Entry[] = [];
  private running = false;
  private timer: TimerHandle | null = null;
  private pausedUntil = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly counters = { received: 0, stored: 0, deadLettered: 0, duplicates: 0, overwritten: 0, errors: 0, batches: 0 };
  private lastMessageAt: number | null = null;

  constructor(opts: PipelineOptions) {
    this.opts = opts;
    this.limits = { ...DEFAULT_PIPELINE_LIMITS, ...opts.limits };
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.gate = new AdmissionGate(this.limits.maxInFlightMessages, this.limits.maxInFlightBytes);
    this.backoff = new Backoff({ initialMs: opts.retry?.initialDelayMs ?? 500, maxMs: opts.retry?.maxDelayMs ?? 30_000 });
  }

  /** See ConnectorContext.deliver. */
  async deliver(messages: UplinkMessage[], signal?: AbortSignal): Promise<DeliveryReport> {
    if (messages.length === 0) return { stored: 0, deadLettered: 0, duplicates: 0 };
    if (this.closed) throw new CloudbridgeError('SHUTTING_DOWN', 'the integration is stopping; the message was not accepted');
    let bytes = 0;
    for (const m of messages) bytes += m.payload.byteLength;
    await this.gate.acquire(messages.length, bytes, signal);
    if (this.closed) {
      this.gate.release(messages.length, bytes);
      throw new CloudbridgeError('SHUTTING_DOWN', 'the integration is stopping; the message was not accepted');
    }
    const now = this.clock.now();
    this.counters.received += messages.length;
    this.lastMessageAt = now;
    return new Promise<DeliveryReport>((resolve, reject) => {
      const delivery: Delivery = {
        messages, bytes, pending: messages.length, settled: false,
        report: { stored: 0, deadLettered: 0, duplicates: 0 }, resolve, reject,
      };
      for (const msg of messages) this.queue.push({ msg, delivery });
      this.schedule();
    });
  }

  stats(): PipelineStats {
    return {
      ...this.counters,
      inFlightMessages: this.gate.messages,
      inFlightBytes: this.gate.bytes,
      lastMessageAt: this.lastMessageAt,
      paused: this.clock.now() < this.pausedUntil,
    };
  }

  /** Resolves when nothing is queued or running (or after `timeoutMs`). */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return true;
    return new Promise<boolean>((resolve) => {
      const t = this.clock.setTimeout(() => resolve(this.isIdle()), timeoutMs);
      this.idleWaiters.push(() => {
        this.clock.clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Stops accepting; queued but unprocessed messages are rejected (never acked). */
  close(): void {
    this.closed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const err = new CloudbridgeError('SHUTTING_DOWN', 'the integration stopped before the message was committed');
    const queued = this.queue;
    this.queue = [];
    for (const entry of queued) this.failEntry(entry, err);
    this.gate.close(err);
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return !this.running && this.queue.length === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private schedule(): void {
    if (this.running || this.closed || this.queue.length === 0) return;
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
    if (this.running || this.closed || this.queue.length === 0) return;
    if (this.clock.now() < this.pausedUntil) {
      this.schedule();
      return;
    }
    const batch = this.queue.splice(0, this.limits.maxBatchMessages);
    this.running = true;
    void this.processBatch(batch).finally(() => {
      this.running = false;
      if (this.queue.length > 0) this.runNow();
      else this.notifyIdle();
    });
  }

  private async processBatch(batch: Entry[]): Promise<void> {
    const messages = batch.map((e) => e.msg);
    let results: UplinkItemResult[];
    try {
      const conversions = await this.convertSafely(messages);
      const commit = buildCommit({
        integrationId: this.opts.integrationId,
        allowCreateDevices: this.opts.allowCreateDevices(),
        messages, conversions,
        debug: this.opts.debug, now: this.clock.now(),
      });
      results = (await this.opts.commit(commit)).results;
    } catch (err) {
      this.onBatchFailure(batch, err);
      return;
    }
    this.backoff.reset();
    if (this.pausedUntil !== 0) {
      this.pausedUntil = 0;
      this.opts.onPause?.(false);
    }
    const report: DeliveryReport = { stored: 0, deadLettered: 0, duplicates: 0 };
    batch.forEach((entry, i) => {
      const r = results[i];
      const d = entry.delivery.report;
      if (r?.status === 'stored') { d.stored++; report.stored++; this.counters.overwritten += r.overwritten ?? 0; }
      else if (r?.status === 'duplicate') { d.duplicates++; report.duplicates++; }
      else { d.deadLettered++; report.deadLettered++; }
      this.settleEntry(entry);
    });
    this.counters.batches++;
    this.counters.stored += report.stored;
    this.counters.deadLettered += report.deadLettered;
    this.counters.duplicates += report.duplicates;
    this.opts.onCommitted?.(messages, this.clock.now());
  }

  private async convertSafely(messages: UplinkMessage[]): ReturnType<ConvertPort> {
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

  /** A store failure, or converters that cannot run at all: nothing is acknowledged, intake pauses, the batch is tried again. */
  private onBatchFailure(batch: Entry[], err: unknown): void {
    const cause = toCloudbridgeError(err, 'STORE_UNAVAILABLE');
    const error = cause.code === 'STORE_UNAVAILABLE' || cause.code === 'SANDBOX_UNAVAILABLE' ? cause
      : new CloudbridgeError('STORE_UNAVAILABLE', `commit failed: ${cause.message}`, {}, { cause: err, retryable: true });
    const delayMs = this.backoff.next();
    this.pausedUntil = this.clock.now() + delayMs;
    this.counters.errors++;
    this.log.warn({ code: error.code, err: error.message, retryInMs: delayMs },
      error.code === 'SANDBOX_UNAVAILABLE' ? 'converters cannot run; intake paused' : 'store commit failed; intake paused');
    this.opts.onPause?.(true, error);
    for (const entry of batch) this.failEntry(entry, error);
  }

  private settleEntry(entry: Entry): void {
    const d = entry.delivery;
    d.pending--;
    if (d.pending > 0) return;
    this.gate.release(d.messages.length, d.bytes);
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
    if (d.pending === 0) this.gate.release(d.messages.length, d.bytes);
  }
}

/**
 * The `aws-sqs` Connector. Receivers long-poll the queue and hand each received batch to the
 * pipeline (FIFO: per MessageGroupId in order); a batch is deleted only after `deliver()`
 * resolved (results or dead letters committed), and made visible again when it rejected, after
 * the delay the pipeline asked for (`retryAfterMs`; receiving pauses as long). Until then the
 * visibility heartbeat keeps every received message invisible.
 *
 * Redelivery model (`visibility-timeout`): whatever was received and not deleted (crash, failed
 * delete, lost receipt) comes back after its visibility timeout; its MessageId, the dedupe key,
 * makes the store recognise it, so nothing is stored twice.
 *
 * Stalls: the HTTP request timeout is longer than the long poll, and a watchdog replaces the
 * SQS client when a poll hangs anyway (docs/field-lessons.md #4, #12).
 *
 * Start, stop and the drain are the shared SourceLifecycle (src/core/source-lifecycle.ts).
 */
import { Backoff } from '../../core/backoff.ts';
import { untilSettled, waitAtMost } from '../../core/bounded-wait.ts';
import { sleep, type TimerHandle } from '../../core/clock.ts';
import type { Connector, ConnectorContext } from '../../core/connector.ts';
import { CloudbridgeError, retryAfterMs, toCloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink, UplinkMessage } from '../../core/model.ts';
import { SourceLifecycle } from '../../core/source-lifecycle.ts';
import { AwsCredentialExpiry } from '../aws-common/index.ts';
import type { ResolvedSqsConfig } from './config-spec.ts';
import { buildSendRequest } from './downlink.ts';
import { GroupSequencer } from './group-sequencer.ts';
import { InFlightReceipts, type Receipt } from './receipt-table.ts';
import { parseQueueUrl } from './queue-url.ts';
import { QueueInfo } from './queue-info.ts';
import { ReceiverPool } from './receiver-pool.ts';
import { requestTimeoutMs } from './request-timeout.ts';
import { Settler } from './settler.ts';
import type { SqsApi, SqsApiFactory, SqsReceivedMessage } from './sqs-api.ts';
import { isCredentialsError, translateSqsError } from './sqs-errors.ts';
import { toUplinkMessage } from './uplink-message.ts';
import { VisibilityHeartbeat } from './visibility-heartbeat.ts';

/** SQS keeps a message invisible for at most 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

export interface SqsSourceOptions {
  config: ResolvedSqsConfig;
  createApi: SqsApiFactory;
  /** How often the watchdog looks for hung polls (default 5 s). */
  watchdogIntervalMs?: number | undefined;
  /** A poll running longer than this is hung (default: the HTTP request timeout + 15 s). */
  stallAfterMs?: number | undefined;
  /** How often queue attributes (backlog, redrive policy) are refreshed (default 60 s). */
  attributesRefreshMs?: number | undefined;
  random?: (() => number) | undefined;
}

export class SqsSource implements Connector {
  private readonly opts: SqsSourceOptions;
  private readonly cfg: ResolvedSqsConfig;
  private readonly ctx: ConnectorContext;
  private readonly life: SourceLifecycle;
  private readonly receipts: InFlightReceipts;
  private readonly sequencer = new GroupSequencer();
  private readonly settleAbort = new AbortController();
  private readonly pollBackoff: Backoff;
  private readonly dispatches = new Set<Promise<unknown>>();
  private readonly settler: Settler;
  private readonly queue: QueueInfo;
  private api: SqsApi | null = null;
  private pool: ReceiverPool | null = null;
  private heartbeat: VisibilityHeartbeat | null = null;
  private watchdog: TimerHandle | null = null;
  /** Receiving waits until then after a rejected delivery (the pipeline's pause). */
  private pausedUntil = 0;
  private visibilityTimeoutSeconds = 30;
  private receiveFailing = false;
  private readonly counters = { received: 0, delivered: 0, rejected: 0, clientRestarts: 0, cappedVisibility: 0 };
  private lastMessageAt: number | null = null;
  private lastReceiveWarningAt = -Infinity;
  private readonly credentials: AwsCredentialExpiry;

  constructor(opts: SqsSourceOptions, ctx: ConnectorContext) {
    this.opts = opts;
    this.cfg = opts.config;
    this.ctx = ctx;
    this.receipts = new InFlightReceipts(this.cfg.maxInFlight);
    this.credentials = new AwsCredentialExpiry(() => ctx.clock.now());
    this.pollBackoff = new Backoff({ initialMs: 1000, maxMs: 60_000, random: opts.random });
    this.settler = new Settler({ api: () => this.client(), queueUrl: this.cfg.queueUrl, receipts: this.receipts, clock: ctx.clock, log: ctx.log, signal: this.settleAbort.signal });
    this.queue = new QueueInfo({ api: () => this.client(), queueUrl: this.cfg.queueUrl, clock: ctx.clock, log: ctx.log, refreshMs: opts.attributesRefreshMs ?? 60_000 });
    this.life = new SourceLifecycle({
      name: 'the SQS source',
      ctx,
      steps: {
        open: (signal) => this.open(signal),
        halt: () => this.halt(),
        drained: () => this.drained(),
        close: (outcome) => this.close(outcome),
      },
    });
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(opts: { drainMs?: number } = {}): Promise<void> {
    return this.life.stop(opts.drainMs);
  }

  status(): Record<string, unknown> {
    return {
      queueUrl: this.cfg.queueUrl,
      queueName: this.cfg.queueName,
      region: this.cfg.region ?? null,
      fifo: this.queue.fifo,
      visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
      redrivePolicy: this.queue.redrivePolicy,
      backlog: this.queue.backlog,
      receivers: this.pool?.receivers ?? 0,
      maxReceivers: this.cfg.maxReceivers,
      polling: this.pool?.polling ?? 0,
      inFlight: this.receipts.size,
      maxInFlight: this.cfg.maxInFlight,
      fifoGroupsInFlight: this.sequencer.activeGroups,
      lastReceiveAt: this.pool?.lastPollAt ?? null,
      lastMessageAt: this.lastMessageAt,
      received: this.counters.received,
      delivered: this.counters.delivered,
      rejected: this.counters.rejected,
      deleted: this.settler.counters.deleted,
      deleteFailures: this.settler.counters.deleteFailures,
      released: this.settler.counters.released,
      visibilityExtensions: this.heartbeat?.extensions ?? 0,
      visibilityExtensionFailures: this.heartbeat?.failures ?? 0,
      visibilityCapReached: this.counters.cappedVisibility,
      clientRestarts: this.counters.clientRestarts,
      downlinkQueueUrl: this.cfg.downlinkQueueUrl ?? null,
      ...this.credentials.details(),
    };
  }

  async sendDownlink(msg: EncodedDownlink, signal?: AbortSignal): Promise<void> {
    const url = this.cfg.downlinkQueueUrl;
    if (!url) throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', 'this integration has no downlinkQueueUrl: set it to the queue downlinks are sent to', { field: 'downlinkQueueUrl' });
    if (!this.life.running) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', `the SQS source is ${this.life.phase}`);
    const req = buildSendRequest(msg, url, parseQueueUrl(url).fifo);
    try {
      await this.client().send(req, signal);
    } catch (err) {
      const error = await this.translate(err, 'SendMessage', url, 'downlinkQueueUrl');
      throw new CloudbridgeError('DOWNLINK_FAILED', error.message, { ...error.details, reason: error.code }, { cause: err, retryable: error.retryable });
    }
  }

  private client(): SqsApi {
    if (!this.api) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', 'the SQS client is closed');
    return this.api;
  }

  private async translate(err: unknown, operation: string, queueUrl = this.cfg.queueUrl, queueField = 'queueUrl'): Promise<CloudbridgeError> {
    const credentials = isCredentialsError(err) && this.api ? await this.api.describeCredentials() : undefined;
    return translateSqsError(err, { operation, queueUrl, queueField, region: this.cfg.region, endpoint: this.cfg.endpoint, credentials });
  }

  /** Start step: check the queue, then the heartbeat, the receivers, the attribute refresh and the watchdog. */
  private async open(signal: AbortSignal): Promise<void> {
    this.api = await this.opts.createApi();
    try {
      await this.queue.load(AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs(5))]));
    } catch (err) {
      throw await this.translate(err, 'GetQueueAttributes');
    }
    await this.credentials.open(this.api.credentialExpiry?.bind(this.api));
    if (this.queue.fifo !== this.cfg.fifo) {
      this.ctx.warn('SQS_FIFO_MISMATCH', `queue "${this.cfg.queueName}" reports FifoQueue=${this.queue.fifo} but its name ${this.cfg.fifo ? 'ends' : 'does not end'} in .fifo; order is kept per MessageGroupId only for FIFO queues`);
    }
    this.visibilityTimeoutSeconds = this.cfg.visibilityTimeoutSeconds ?? this.queue.visibilityTimeoutSeconds ?? 30;
    this.heartbeat = new VisibilityHeartbeat({
      receipts: this.receipts, api: () => this.client(), queueUrl: this.cfg.queueUrl, visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
      clock: this.ctx.clock, log: this.ctx.log,
      onCapped: (receipt) => {
        this.counters.cappedVisibility++;
        if (this.counters.cappedVisibility === 1) {
          this.ctx.warn('SQS_VISIBILITY_CAP', `message ${receipt.messageId} was not stored within 12 hours of its receipt, the most SQS allows a message to stay invisible: it will be received again (and recognised as a duplicate once stored). Check why the store is stalled.`);
        }
      },
    });
    this.heartbeat.start();
    this.pool = this.createPool();
    this.pool.start();
    this.queue.startRefreshing();
    this.scheduleWatchdog();
    this.ctx.log.info({ queue: this.cfg.queueName, fifo: this.queue.fifo, visibilityTimeoutSeconds: this.visibilityTimeoutSeconds, redrive: this.queue.redrivePolicy }, 'receiving from SQS');
  }

  /** Stop step: no more polls (running ones finish), no watchdog, no attribute refresh. */
  private halt(): void {
    if (this.watchdog) this.ctx.clock.clearTimeout(this.watchdog);
    this.watchdog = null;
    this.queue.stopRefreshing();
    this.pool?.halt();
  }

  /** Stop step: every receiver ended and every received batch was deleted or released. */
  private async drained(): Promise<void> {
    await this.pool?.idle();
    await untilSettled(this.dispatches);
  }

  /**
   * Stop step (and after a failed start): cancel running polls; a batch the pipeline is still
   * committing gets a short grace to finish and be deleted; whatever is left unsettled becomes
   * visible for the next consumer, but only after any aborted poll's window, so SQS cannot hand
   * it to a closed connection. Should the pipeline still commit some of it, the redelivery is
   * recognised as a duplicate.
   */
  private async close(outcome: { drained: boolean; drainMs: number }): Promise<void> {
    const pollWindowEnd = this.pool?.abortPolls() ?? 0;
    await this.pool?.idle();
    if (!outcome.drained) await waitAtMost(untilSettled(this.dispatches), Math.min(1000, outcome.drainMs), this.ctx.clock);
    const leftover = [...this.receipts.values()].filter((r) => !r.releasing && !r.lost);
    if (leftover.length > 0) await this.settler.release(leftover, this.secondsUntil(pollWindowEnd));
    this.settleAbort.abort(new CloudbridgeError('SHUTTING_DOWN', 'the SQS source stopped'));
    await this.heartbeat?.stop();
    this.api?.destroy();
    this.api = null;
  }

  private createPool(): ReceiverPool {
    return new ReceiverPool({
      maxReceivers: this.cfg.maxReceivers,
      fullBatch: this.cfg.maxMessages,
      pollWindowMs: this.cfg.waitTimeSeconds * 1000,
      clock: this.ctx.clock,
      log: this.ctx.log,
      beforePoll: async (signal) => {
        const pauseMs = this.pausedUntil - this.ctx.clock.now();
        if (pauseMs > 0) await sleep(pauseMs, signal, this.ctx.clock);
        await this.receipts.room.acquire(this.cfg.maxMessages, signal);
      },
      poll: (signal) => this.poll(signal),
      onPollOk: () => {
        this.pollBackoff.reset();
        if (this.receiveFailing) {
          this.receiveFailing = false;
          this.ctx.log.info('receiving from SQS again');
          this.ctx.reportState('connected');
        }
      },
      onPollError: (err) => {
        const delayMs = this.pollBackoff.next();
        void this.translate(err, 'ReceiveMessage').then((error) => {
          if (!this.life.running) return;
          this.ctx.log.warn({ code: error.code, err: error.message, retryInMs: delayMs }, 'ReceiveMessage failed');
          if (!this.receiveFailing) {
            this.receiveFailing = true;
            this.ctx.reportState('disconnected', error);
          }
        });
        return delayMs;
      },
    });
  }

  private async poll(signal: AbortSignal): Promise<number> {
    const startedAt = this.ctx.clock.now();
    let messages: SqsReceivedMessage[];
    try {
      messages = await this.client().receive({
        queueUrl: this.cfg.queueUrl,
        maxMessages: this.cfg.maxMessages,
        waitTimeSeconds: this.cfg.waitTimeSeconds,
        visibilityTimeoutSeconds: this.cfg.visibilityTimeoutSeconds,
      }, signal);
    } catch (err) {
      this.receipts.room.release(this.cfg.maxMessages);
      throw err;
    }
    // The received messages keep their share of the reserved room; the rest is given back.
    const receipts = messages.map((m) => this.receipts.add({ messageId: m.messageId, receiptHandle: m.receiptHandle, groupId: m.attributes.MessageGroupId }, startedAt, this.visibilityTimeoutSeconds));
    this.receipts.room.release(this.cfg.maxMessages - messages.length);
    if (messages.length === 0) return 0;
    const now = this.ctx.clock.now();
    const uplinks = messages.map((m) => toUplinkMessage(m, now, this.cfg.bodyEncoding));
    this.counters.received += messages.length;
    this.lastMessageAt = now;
    this.warnOnLastReceive(messages, now);
    this.dispatch(uplinks, receipts);
    return messages.length;
  }

  /** Messages on their last receive before SQS moves them to the dead-letter queue (at most once a minute). */
  private warnOnLastReceive(messages: SqsReceivedMessage[], now: number): void {
    const policy = this.queue.redrivePolicy;
    if (!policy || now - this.lastReceiveWarningAt < 60_000) return;
    const last = messages.filter((m) => Number(m.attributes.ApproximateReceiveCount) >= policy.maxReceiveCount).length;
    if (last === 0) return;
    this.lastReceiveWarningAt = now;
    this.ctx.warn('SQS_LAST_RECEIVE', `${last} message(s) reached ApproximateReceiveCount ${policy.maxReceiveCount}, the redrive policy's maxReceiveCount: if storing them fails once more, SQS moves them to ${policy.deadLetterTargetArn}. Check the store, or raise maxReceiveCount.`, { maxReceiveCount: policy.maxReceiveCount });
  }

  private dispatch(uplinks: UplinkMessage[], receipts: Receipt[]): void {
    const groups = receipts.map((r) => r.groupId).filter((g): g is string => g !== undefined);
    const run = groups.length > 0
      ? this.sequencer.run(groups, () => this.deliverAndSettle(uplinks, receipts)).then(async (outcome) => {
        // An earlier batch of the group failed: this one comes back with it, in order.
        if (outcome === 'skipped') await this.settler.release(receipts, this.life.running ? this.secondsUntil(this.pausedUntil) : this.secondsUntil(this.pool?.pollWindowEnd() ?? 0));
      })
      : this.deliverAndSettle(uplinks, receipts);
    this.dispatches.add(run);
    void run.finally(() => this.dispatches.delete(run));
  }

  /** Resolves true when the batch was committed (and deleted or being deleted). */
  private async deliverAndSettle(uplinks: UplinkMessage[], receipts: Receipt[]): Promise<boolean> {
    try {
      await this.ctx.deliver(uplinks, this.life.deliverySignal);
    } catch (err) {
      this.counters.rejected += uplinks.length;
      const error = toCloudbridgeError(err, 'STORE_UNAVAILABLE');
      const stopping = !this.life.running || error.code === 'SHUTTING_DOWN';
      let delaySeconds: number;
      if (stopping) {
        delaySeconds = this.secondsUntil(this.pool?.pollWindowEnd() ?? 0);
      } else {
        // The pipeline's retry delay; only the pipeline rejects, anything else counts as 1 s.
        delaySeconds = Math.min(MAX_VISIBILITY_SECONDS, Math.ceil((retryAfterMs(err) ?? 1000) / 1000));
        this.pausedUntil = Math.max(this.pausedUntil, this.ctx.clock.now() + delaySeconds * 1000);
        this.ctx.log.warn({ code: error.code, err: error.message, messages: uplinks.length, visibleAgainInSeconds: delaySeconds }, 'delivery failed; the messages become visible again after the pipeline\'s retry delay and receiving pauses meanwhile');
      }
      await this.settler.release(receipts, delaySeconds);
      return false;
    }
    this.counters.delivered += uplinks.length;
    await this.settler.delete(receipts);
    return true;
  }

  private scheduleWatchdog(): void {
    const everyMs = this.opts.watchdogIntervalMs ?? 5000;
    this.watchdog = this.ctx.clock.setTimeout(() => {
      this.watchdog = null;
      if (!this.life.running) return;
      this.checkStalledPolls();
      this.scheduleWatchdog();
    }, everyMs);
    this.watchdog.unref?.();
  }

  /** A poll outliving the request timeout by 15 s is hung: replace the client, cancel such polls. */
  private checkStalledPolls(): void {
    const limitMs = this.opts.stallAfterMs ?? requestTimeoutMs(this.cfg.waitTimeSeconds) + 15_000;
    const pool = this.pool;
    if (!pool) return;
    const aborted = pool.abortPollsOlderThan(limitMs);
    if (aborted === 0) return;
    this.counters.clientRestarts++;
    this.ctx.log.warn({ stalledPolls: aborted, limitMs }, 'SQS receive stalled; replacing the SQS client');
    void this.replaceClient();
  }

  /**
   * The new client takes over and the stalled one is closed. The factory is async (the SDK loads
   * on first use); by now the SDK is loaded, so this waits for no I/O.
   */
  private async replaceClient(): Promise<void> {
    let fresh: SqsApi;
    try {
      fresh = await this.opts.createApi();
    } catch (err) {
      this.ctx.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not create a new SQS client; keeping the stalled one');
      return;
    }
    const old = this.api;
    if (!old) {
      // Closed meanwhile: the new client is not needed.
      fresh.destroy();
      return;
    }
    this.api = fresh;
    old.destroy();
  }

  private secondsUntil(epochMs: number): number {
    return Math.max(0, Math.ceil((epochMs - this.ctx.clock.now()) / 1000));
  }
}

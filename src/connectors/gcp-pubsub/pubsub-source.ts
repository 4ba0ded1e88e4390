/**
 * The `gcp-pubsub` Connector. A streaming pull (the SDK's Subscription, flow control maxMessages /
 * maxBytes) hands messages over one at a time; the messages that arrive together (one pull
 * response) are handed to the pipeline as one batch. A message is acknowledged only after
 * `deliver()` resolved (its results or its dead letter committed); on an exactly-once subscription
 * the acknowledgement is confirmed (`ackWithResponse`) and a failed confirmation counted and
 * warned about. A rejected delivery is held for the pipeline's retry delay, then offered again
 * (retry-hold.ts). Until then the SDK's lease manager extends the ack deadlines of every message
 * not acknowledged yet, up to maxAckExtensionSeconds.
 *
 * Redelivery model (`ack-deadline`): whatever was received and not acknowledged (crash, lost ack,
 * stream closed) comes back after its ack deadline, or at once when the stream closes cleanly;
 * its message id, the dedupe key, makes the store recognise it, so nothing is stored twice.
 *
 * Ordering keys (subscription with enableMessageOrdering): the SDK hands one key's messages over
 * in publish order, deliveries commit in the order they are made, a rejection rejects every later
 * delivery not committed yet, and the held messages are offered again in order, with later
 * messages of a held key held behind them.
 *
 * Start, stop and the drain are the shared SourceLifecycle (src/core/source-lifecycle.ts).
 */
import { Backoff } from '../../core/backoff.ts';
import { untilSettled } from '../../core/bounded-wait.ts';
import { sleep } from '../../core/clock.ts';
import type { Connector, ConnectorContext } from '../../core/connector.ts';
import { CloudbridgeError, retryAfterMs, toCloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import { SourceLifecycle } from '../../core/source-lifecycle.ts';
import type { ResolvedPubSubConfig } from './config-spec.ts';
import { buildPublishRequest } from './downlink.ts';
import type { PubSubApi, PubSubApiFactory, PubSubReceivedMessage, PullStream, SubscriptionInfo } from './pubsub-api.ts';
import { translatePubSubError, type PubSubErrorContext } from './pubsub-errors.ts';
import { RedeliveryTracker } from './redelivery-tracker.ts';
import { RetryHold } from './retry-hold.ts';
import { toUplinkMessage } from './uplink-message.ts';

/** Most messages per delivery. */
const MAX_BATCH = 500;
const REDELIVERY_WARNING_EVERY_MS = 10 * 60_000;
const ACK_FAILURE_WARNING_EVERY_MS = 60_000;

export interface PubSubSourceOptions {
  config: ResolvedPubSubConfig;
  createApi: PubSubApiFactory;
  random?: (() => number) | undefined;
}

/** A received message and the stream it came on (acks go only to a stream still open). */
interface Received {
  m: PubSubReceivedMessage;
  stream: Stream;
}

interface Stream {
  pull: PullStream;
  live: boolean;
}

export class PubSubSource implements Connector {
  private readonly opts: PubSubSourceOptions;
  private readonly cfg: ResolvedPubSubConfig;
  private readonly ctx: ConnectorContext;
  private readonly life: SourceLifecycle;
  private readonly hold: RetryHold<Received>;
  private readonly tracker = new RedeliveryTracker();
  private readonly reconnectBackoff: Backoff;
  private readonly dispatches = new Set<Promise<unknown>>();
  private api: PubSubApi | null = null;
  private info: SubscriptionInfo | null = null;
  private stream: Stream | null = null;
  private pending: Received[] = [];
  private flushScheduled = false;
  private closed = false;
  private streamFailing = false;
  private outstanding = 0;
  private lastMessageAt: number | null = null;
  private lastRedeliveryWarningAt = -Infinity;
  private lastAckFailureWarningAt = -Infinity;
  private warnedUnorderedKeys = false;
  private readonly counters = { received: 0, delivered: 0, rejected: 0, acknowledged: 0, acksConfirmed: 0, ackFailures: 0, retried: 0, streamRestarts: 0 };

  constructor(opts: PubSubSourceOptions, ctx: ConnectorContext) {
    this.opts = opts;
    this.cfg = opts.config;
    this.ctx = ctx;
    this.reconnectBackoff = new Backoff({ initialMs: 1000, maxMs: 60_000, random: opts.random });
    this.hold = new RetryHold<Received>({ clock: ctx.clock, release: (r) => this.retry(r) });
    this.life = new SourceLifecycle({
      name: 'the Pub/Sub source',
      ctx,
      steps: {
        open: (signal) => this.open(signal),
        halt: () => undefined,
        drained: () => this.drained(),
        close: () => this.close(),
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
      subscription: this.cfg.subscription.path,
      topic: this.info?.topic ?? null,
      messageOrdering: this.info?.enableMessageOrdering ?? null,
      exactlyOnceDelivery: this.info?.enableExactlyOnceDelivery ?? null,
      ackDeadlineSeconds: this.info?.ackDeadlineSeconds ?? null,
      deadLetterPolicy: this.info?.deadLetter ?? null,
      streaming: this.stream?.live ?? false,
      outstanding: this.outstanding,
      maxMessages: this.cfg.maxMessages,
      heldForRetry: this.hold.size,
      lastMessageAt: this.lastMessageAt,
      received: this.counters.received,
      delivered: this.counters.delivered,
      rejected: this.counters.rejected,
      acknowledged: this.counters.acknowledged,
      acksConfirmed: this.counters.acksConfirmed,
      ackFailures: this.counters.ackFailures,
      retried: this.counters.retried,
      redeliveries: this.tracker.redeliveries,
      streamRestarts: this.counters.streamRestarts,
      downlinkTopic: this.cfg.downlinkTopic?.path ?? null,
    };
  }

  async sendDownlink(msg: EncodedDownlink, signal?: AbortSignal): Promise<void> {
    const topic = this.cfg.downlinkTopic;
    if (!topic) throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', 'this integration has no downlinkTopic: set it to the topic downlinks are published to', { field: 'downlinkTopic' });
    if (!this.life.running || !this.api) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', `the Pub/Sub source is ${this.life.phase}`);
    const req = buildPublishRequest(msg, topic.path);
    try {
      await this.api.publish(req, signal);
    } catch (err) {
      const error = this.translate(err, 'Publish', 'topic');
      throw new CloudbridgeError('DOWNLINK_FAILED', error.message, { ...error.details, reason: error.code }, { cause: err, retryable: error.retryable });
    }
  }

  private translate(err: unknown, operation: string, kind: 'subscription' | 'topic' = 'subscription'): CloudbridgeError {
    const ctx: PubSubErrorContext = kind === 'topic'
      ? { operation, resource: this.cfg.downlinkTopic?.path ?? '', resourceKind: 'topic', field: 'downlinkTopic', projectId: this.cfg.projectId, credentials: this.api?.describeCredentials() ?? 'the configured credentials', endpoint: this.cfg.apiEndpoint }
      : { operation, resource: this.cfg.subscription.path, resourceKind: 'subscription', field: 'subscription', projectId: this.cfg.projectId, credentials: this.api?.describeCredentials() ?? 'the configured credentials', endpoint: this.cfg.apiEndpoint };
    return translatePubSubError(err, ctx);
  }

  /** Start step: check the subscription, then open the streaming pull. */
  private async open(signal: AbortSignal): Promise<void> {
    this.api = await this.opts.createApi();
    try {
      this.info = await this.api.getSubscription(this.cfg.subscription.path, AbortSignal.any([signal, AbortSignal.timeout(30_000)]));
    } catch (err) {
      throw this.translate(err, 'GetSubscription');
    }
    if (this.info.push) {
      throw new CloudbridgeError('CONFIG_INVALID', `subscription ${this.cfg.subscription.path} is a push subscription: Cloudbridge pulls. Create a pull subscription on topic ${this.info.topic} for it (or change this one's delivery type to pull).`, { field: 'subscription' });
    }
    if (this.info.filter && this.cfg.emulator) {
      this.ctx.warn('CONFIG_WARNING', `subscription ${this.cfg.subscription.path} has the filter "${this.info.filter}", which the Pub/Sub emulator stores but does not apply: every message of the topic is delivered here. Google Cloud applies it.`, { field: 'subscription' });
    }
    this.openStream();
    this.ctx.log.info({ subscription: this.cfg.subscription.path, topic: this.info.topic, ordering: this.info.enableMessageOrdering, exactlyOnce: this.info.enableExactlyOnceDelivery, ackDeadlineSeconds: this.info.ackDeadlineSeconds }, 'streaming pull from Pub/Sub');
  }

  private openStream(): void {
    const api = this.api;
    if (!api || this.closed) return;
    const stream: Stream = { pull: null as unknown as PullStream, live: true };
    stream.pull = api.pull(this.cfg.subscription.path, {
      maxMessages: this.cfg.maxMessages,
      maxBytes: this.cfg.maxBytes,
      maxExtensionSeconds: this.cfg.maxAckExtensionSeconds,
    }, {
      message: (m) => this.onMessage(m, stream),
      error: (err) => this.onStreamError(err, stream),
    });
    this.stream = stream;
  }

  /**
   * The SDK retries transient stream failures itself; what reaches here closed the stream (and gave
   * its unacknowledged messages back). Reopen after a backoff; status shows the error meanwhile.
   */
  private onStreamError(err: unknown, stream: Stream): void {
    if (!stream.live) return;
    stream.live = false;
    void stream.pull.close().catch(() => undefined);
    // The closed stream gave back every message it had not acknowledged (one stream at a time).
    this.outstanding = 0;
    this.hold.clear();
    this.tracker.forgetProcessing();
    if (this.closed || !this.life.running) return;
    const error = this.translate(err, 'StreamingPull');
    const delayMs = this.reconnectBackoff.next();
    this.counters.streamRestarts++;
    this.ctx.log.warn({ code: error.code, err: error.message, retryInMs: delayMs }, 'the Pub/Sub streaming pull failed; reopening');
    if (!this.streamFailing) {
      this.streamFailing = true;
      this.ctx.reportState('disconnected', error);
    }
    void sleep(delayMs, this.life.stopSignal, this.ctx.clock).then(() => this.openStream(), () => undefined);
  }

  private onMessage(m: PubSubReceivedMessage, stream: Stream): void {
    // Stopping: left unanswered; closing the stream gives it back.
    if (!this.life.running || !stream.live) return;
    const now = this.ctx.clock.now();
    this.counters.received++;
    this.outstanding++;
    this.lastMessageAt = now;
    if (this.streamFailing) {
      this.streamFailing = false;
      this.reconnectBackoff.reset();
      this.ctx.log.info('streaming pull from Pub/Sub again');
      this.ctx.reportState('connected');
    }
    if (this.tracker.received(m.id)) this.warnRedeliveries(m.id);
    const received: Received = { m, stream };
    const key = this.orderingKeyOf(m);
    if (key === undefined) {
      this.enqueue(received);
    } else if (this.hold.holdsKey(key)) {
      // An earlier message of this key waits to be offered again: this one waits behind it.
      this.holdBack([received], now);
    } else {
      this.enqueue(received);
    }
  }

  /** The ordering key that orders `m`: only on a subscription with message ordering. */
  private orderingKeyOf(m: PubSubReceivedMessage): string | undefined {
    if (!m.orderingKey) return undefined;
    this.checkOrderingEnabled(m.orderingKey);
    return this.info?.enableMessageOrdering ? m.orderingKey : undefined;
  }

  private enqueue(received: Received): void {
    this.pending.push(received);
    if (this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands what arrived together to the pipeline as one delivery. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const run = this.deliverAndSettle(batch);
    this.dispatches.add(run);
    void run.finally(() => this.dispatches.delete(run));
  }

  private async deliverAndSettle(batch: Received[]): Promise<void> {
    const now = this.ctx.clock.now();
    try {
      await this.ctx.deliver(batch.map((r) => toUplinkMessage(r.m, now)), this.life.deliverySignal);
    } catch (err) {
      this.counters.rejected += batch.length;
      const error = toCloudbridgeError(err, 'STORE_UNAVAILABLE');
      // Stopping: the stream's close gives the messages back.
      if (!this.life.running || error.code === 'SHUTTING_DOWN') return;
      // The pipeline's retry delay; only the pipeline rejects, anything else counts as 1 s.
      const delayMs = retryAfterMs(err) ?? 1000;
      this.ctx.log.warn({ code: error.code, err: error.message, messages: batch.length, retryInMs: delayMs }, 'delivery failed; the messages are offered again after the pipeline\'s retry delay (they stay leased meanwhile)');
      this.holdBack(batch, this.ctx.clock.now() + delayMs);
      return;
    }
    this.counters.delivered += batch.length;
    for (const r of batch) this.acknowledge(r);
  }

  private acknowledge(r: Received): void {
    // A closed stream gave the message back already: its redelivery is recognised as a duplicate.
    if (!this.usable(r.stream)) return;
    this.outstanding--;
    this.tracker.acknowledged(r.m.id);
    this.counters.acknowledged++;
    if (!this.info?.enableExactlyOnceDelivery) {
      r.m.ack();
      return;
    }
    r.m.ackWithResponse().then(() => {
      this.counters.acksConfirmed++;
    }, (err: unknown) => {
      this.counters.ackFailures++;
      this.warnAckFailure(r.m.id, err);
    });
  }

  /** Acks and nacks go only to the stream a message came on, and only while it is open. */
  private usable(stream: Stream): boolean {
    return stream.live && stream.pull.open;
  }

  private holdBack(items: Received[], notBefore: number): void {
    this.hold.add(items.map((r) => ({ item: r, orderingKey: this.orderingKeyOf(r.m) })), notBefore);
  }

  /** The retry delay is over: offer the message to the pipeline again (it is still leased). */
  private retry(r: Received): void {
    if (!this.usable(r.stream) || !this.life.running) return;
    this.counters.retried++;
    this.enqueue(r);
  }

  private checkOrderingEnabled(key: string): void {
    if (this.warnedUnorderedKeys || this.info?.enableMessageOrdering !== false) return;
    this.warnedUnorderedKeys = true;
    this.ctx.warn('CONFIG_WARNING', `messages carry ordering keys (e.g. "${key.slice(0, 60)}") but subscription ${this.cfg.subscription.path} was created without enableMessageOrdering: Pub/Sub delivers them in any order. Create the subscription with message ordering enabled (it cannot be changed on an existing one).`, { field: 'subscription' });
  }

  private warnRedeliveries(id: string): void {
    const now = this.ctx.clock.now();
    // The first one can be a lost ack; warn when it recurs.
    if (this.tracker.redeliveries < 2 || now - this.lastRedeliveryWarningAt < REDELIVERY_WARNING_EVERY_MS) return;
    this.lastRedeliveryWarningAt = now;
    this.ctx.warn('PUBSUB_REDELIVERIES', `Pub/Sub redelivered ${this.tracker.redeliveries} message(s) Cloudbridge was still processing or had acknowledged (latest ${id}): the ack deadline (${this.info?.ackDeadlineSeconds ?? '?'} s on ${this.cfg.subscription.path}) is too short for the round trip. Nothing is stored twice; raise the subscription's ack deadline.`, { redeliveries: this.tracker.redeliveries });
  }

  private warnAckFailure(id: string, err: unknown): void {
    const reason = (err as { errorCode?: unknown }).errorCode ?? (err instanceof Error ? err.message : String(err));
    this.ctx.log.warn({ messageId: id, reason }, 'Pub/Sub did not confirm an acknowledgement (exactly-once subscription); the message will be redelivered and recognised as a duplicate');
    const now = this.ctx.clock.now();
    if (now - this.lastAckFailureWarningAt < ACK_FAILURE_WARNING_EVERY_MS) return;
    this.lastAckFailureWarningAt = now;
    this.ctx.warn('PUBSUB_ACK_FAILED', `${this.counters.ackFailures} acknowledgement(s) on exactly-once subscription ${this.cfg.subscription.path} were not confirmed (latest: message ${id}, ${String(reason)}): Pub/Sub will redeliver them and the store recognises them as duplicates.`, { ackFailures: this.counters.ackFailures });
  }

  /** Stop step: every delivery handed to the pipeline settled (and was acknowledged or held). */
  private async drained(): Promise<void> {
    this.flush();
    await untilSettled(this.dispatches);
  }

  /** Stop step (and after a failed start): close the stream, which gives back every message not acknowledged. */
  private async close(): Promise<void> {
    this.closed = true;
    this.hold.clear();
    this.pending = [];
    const stream = this.stream;
    this.stream = null;
    if (stream?.live) {
      stream.live = false;
      await stream.pull.close().catch((err: unknown) => this.ctx.log.warn({ err: toCloudbridgeError(err).message }, 'closing the Pub/Sub stream failed; its messages come back after their ack deadline'));
    }
    this.outstanding = 0;
    await this.api?.close().catch(() => undefined);
    this.api = null;
  }
}

/**
 * The `azure-service-bus` Connector. Peek-lock: each message is completed only after its results
 * (or its dead letter) are committed. Non-session entities: the SDK streams messages (at most
 * maxInFlight unsettled); each waits in the held table, its lock renewed by the lock keeper,
 * while the pipeline commits it; a rejected delivery is offered again after the pipeline's
 * retryAfterMs with its lock kept, and abandoned only on stop or when the lock cannot be kept.
 * Session entities: up to maxConcurrentSessions sessions at once, each read in order, batch by
 * batch, a batch settled before the next is read (the SDK renews the session lock).
 *
 * Redelivery model (`peek-lock`): a message not completed (crash, lost lock, link dropped) comes
 * back with delivery count + 1; its MessageId, the dedupe key, makes the store recognise it.
 * Start, stop and the drain are the shared SourceLifecycle (src/core/source-lifecycle.ts).
 */
import { untilSettled, waitAtMost } from '../../core/bounded-wait.ts';
import { sleep } from '../../core/clock.ts';
import type { Connector, ConnectorContext, DeadLetteredMessage } from '../../core/connector.ts';
import { CloudbridgeError, retryAfterMs, toCloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import { SourceLifecycle } from '../../core/source-lifecycle.ts';
import type { ResolvedServiceBusConfig } from './config-spec.ts';
import { DeliveryBatcher } from './delivery-batcher.ts';
import { buildServiceBusMessage } from './downlink.ts';
import { HeldMessages } from './held-messages.ts';
import { LockKeeper } from './lock-keeper.ts';
import type { EntityReceiver, ServiceBusApi, ServiceBusApiFactory, ServiceBusReceivedMessage, SessionReceiver } from './service-bus-api.ts';
import { isLockLost, isNoSession, requiresSessions, translateServiceBusError } from './service-bus-errors.ts';
import { Settler } from './settler.ts';
import { toUplinkMessage } from './uplink-message.ts';

const NO_SESSION_WAIT_MS = 1000;
const SESSION_IDLE_MS = 1000;

export interface ServiceBusSourceOptions {
  config: ResolvedServiceBusConfig;
  createApi: ServiceBusApiFactory;
}

export class ServiceBusSource implements Connector {
  private readonly cfg: ResolvedServiceBusConfig;
  private readonly opts: ServiceBusSourceOptions;
  private readonly ctx: ConnectorContext;
  private readonly life: SourceLifecycle;
  private readonly held = new HeldMessages();
  private readonly settler: Settler;
  private readonly batcher: DeliveryBatcher;
  private readonly keeper: LockKeeper;
  private readonly work = new Set<Promise<unknown>>();
  private readonly intake = new AbortController();
  private api: ServiceBusApi | null = null;
  private receiver: EntityReceiver | null = null;
  private subscription: { close(): Promise<void> } | null = null;
  private closingSubscription: Promise<void> | null = null;
  private mode: 'stream' | 'sessions' = 'stream';
  private readonly sessionsActive = new Set<string>();
  private failing = false;
  private readonly counters = { received: 0, delivered: 0, rejected: 0, sessionsAccepted: 0 };
  private lastMessageAt: number | null = null;

  constructor(opts: ServiceBusSourceOptions, ctx: ConnectorContext) {
    this.opts = opts;
    this.cfg = opts.config;
    this.ctx = ctx;
    this.settler = new Settler(ctx.log, this.cfg.deadLetterOnConverterFailure);
    this.batcher = new DeliveryBatcher((b, s, o) => ctx.deliver(b, s, o), () => this.life.deliverySignal);
    this.keeper = new LockKeeper({
      held: this.held, maxLockRenewalMs: this.cfg.maxLockRenewalSeconds * 1000, clock: ctx.clock, log: ctx.log,
      renew: (h) => this.receiverOrFail().renewLock(h.message),
    });
    this.life = new SourceLifecycle({
      name: 'the Service Bus source',
      ctx,
      steps: {
        open: (signal) => this.open(signal),
        halt: () => this.halt(),
        drained: () => untilSettled(this.work),
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
      entity: this.cfg.entityPath,
      namespace: this.cfg.connection.host,
      mode: this.mode,
      inFlight: this.mode === 'stream' ? this.held.size : this.work.size,
      maxInFlight: this.cfg.maxInFlight,
      sessionsActive: [...this.sessionsActive],
      sessionsAccepted: this.counters.sessionsAccepted,
      received: this.counters.received,
      delivered: this.counters.delivered,
      rejected: this.counters.rejected,
      ...this.settler.counters,
      lockRenewals: this.keeper.renewals,
      lockRenewalFailures: this.keeper.failures,
      lastMessageAt: this.lastMessageAt,
      deadLetterOnConverterFailure: this.cfg.deadLetterOnConverterFailure,
      downlinkQueueOrTopic: this.cfg.downlinkQueueOrTopic ?? null,
    };
  }

  async sendDownlink(msg: EncodedDownlink, signal?: AbortSignal): Promise<void> {
    const target = this.cfg.downlinkQueueOrTopic;
    if (!target) throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', 'this integration has no downlinkQueueOrTopic: set it to the queue or topic downlinks are sent to', { field: 'downlinkQueueOrTopic' });
    if (!this.life.running || !this.api) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', `the Service Bus source is ${this.life.phase}`);
    const message = buildServiceBusMessage(msg);
    try {
      await this.api.send(target, [message], signal);
    } catch (err) {
      const error = this.translate(err, `send to "${target}"`, 'downlinkQueueOrTopic', 'Send');
      throw new CloudbridgeError('DOWNLINK_FAILED', error.message, { ...error.details, reason: error.code }, { cause: err, retryable: error.retryable });
    }
  }

  private translate(err: unknown, operation: string, entityField: string = this.cfg.entityField, right: 'Listen' | 'Send' = 'Listen'): CloudbridgeError {
    return translateServiceBusError(err, { operation, entityField, right, host: this.cfg.connection.host, keyName: this.cfg.connection.keyName });
  }

  private receiverOrFail(): EntityReceiver {
    if (!this.receiver) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', 'the Service Bus receiver is closed');
    return this.receiver;
  }

  /** Start step: check the entity (a peek: consumes nothing), then stream or take sessions. */
  private async open(signal: AbortSignal): Promise<void> {
    this.api = await this.opts.createApi();
    this.receiver = this.api.receiver();
    let peeked: ServiceBusReceivedMessage[];
    try {
      peeked = await this.receiver.peek(1, signal);
    } catch (err) {
      throw this.translate(err, `peek at "${this.cfg.entityPath}"`);
    }
    const sessions = this.cfg.sessions === 'on' || (this.cfg.sessions === 'auto' && peeked[0]?.sessionId !== undefined);
    if (sessions) this.startSessions();
    else this.startStream();
    this.ctx.log.info({ entity: this.cfg.entityPath, mode: this.mode }, 'receiving from Service Bus');
  }

  private halt(): void {
    this.intake.abort();
    this.closeSubscription();
  }

  private closeSubscription(): void {
    const sub = this.subscription;
    this.subscription = null;
    if (sub) this.closingSubscription = sub.close().catch(() => undefined);
  }

  /** Stop step: a short grace for settlements, then the receiver and the connection close; Service Bus releases what is still locked. */
  private async close(outcome: { drained: boolean; drainMs: number }): Promise<void> {
    this.intake.abort();
    this.closeSubscription();
    if (!outcome.drained) await waitAtMost(untilSettled(this.work), Math.min(1000, outcome.drainMs), this.ctx.clock);
    this.keeper.stop();
    await this.closingSubscription;
    const api = this.api;
    this.api = null;
    const receiver = this.receiver;
    this.receiver = null;
    await receiver?.close().catch(() => undefined);
    await api?.close().catch(() => undefined);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.work.add(p);
    void p.finally(() => this.work.delete(p)).catch(() => undefined);
    return p;
  }

  private onIntakeOk(): void {
    this.lastMessageAt = this.ctx.clock.now();
    if (this.failing) {
      this.failing = false;
      this.ctx.reportState('connected');
    }
  }

  private onIntakeError(err: unknown, operation: string): void {
    if (this.intake.signal.aborted) return;
    const error = this.translate(err, operation);
    this.ctx.log.warn({ code: error.code, err: error.message }, 'Service Bus receive failed; the SDK reconnects');
    if (!this.failing) {
      this.failing = true;
      this.ctx.reportState('disconnected', error);
    }
  }

  private startStream(): void {
    this.mode = 'stream';
    this.keeper.start();
    const receiver = this.receiverOrFail();
    this.subscription = receiver.subscribe({
      processMessage: (m) => this.track(this.handle(receiver, m)),
      processError: async (err) => {
        if (requiresSessions(err) && this.cfg.sessions === 'auto' && this.mode === 'stream' && !this.intake.signal.aborted) {
          this.ctx.log.info({ entity: this.cfg.entityPath }, 'the entity requires sessions: taking sessions');
          this.closeSubscription();
          this.startSessions();
          return;
        }
        this.onIntakeError(err, `receive from "${this.cfg.entityPath}"`);
      },
    }, this.cfg.maxInFlight);
  }

  /** One streamed message: hand it to the pipeline until it is committed, then settle it. */
  private async handle(receiver: EntityReceiver, m: ServiceBusReceivedMessage): Promise<void> {
    const now = this.ctx.clock.now();
    const h = this.held.add(m, now);
    this.counters.received++;
    this.onIntakeOk();
    try {
      const outcome = await this.deliverUntilCommitted([toUplinkMessage(m, now)], () => h.lost);
      if (outcome === 'lost') {
        this.settler.lost();
        return;
      }
      h.settling = true;
      if (outcome === 'stopped') await this.settler.abandon(receiver, m);
      else await this.settler.settle(receiver, m, outcome[0]);
    } finally {
      this.held.remove(h);
    }
  }

  /**
   * Delivers until committed (per message: its dead letter, or undefined), offering the messages
   * again after each rejection's retryAfterMs; 'stopped' when the source stops first, 'lost' when
   * the lock went meanwhile (Service Bus redelivers).
   */
  private async deliverUntilCommitted(msgs: ReturnType<typeof toUplinkMessage>[], lost: () => boolean): Promise<Array<DeadLetteredMessage | undefined> | 'stopped' | 'lost'> {
    for (;;) {
      if (lost()) return 'lost';
      if (this.intake.signal.aborted) return 'stopped';
      try {
        const result = await Promise.all(msgs.map((msg) => this.batcher.deliver(msg)));
        this.counters.delivered += msgs.length;
        return result;
      } catch (err) {
        this.counters.rejected += msgs.length;
        const error = toCloudbridgeError(err, 'STORE_UNAVAILABLE');
        if (this.intake.signal.aborted || error.code === 'SHUTTING_DOWN') return 'stopped';
        const delayMs = retryAfterMs(err) ?? 1000;
        this.ctx.log.warn({ code: error.code, err: error.message, messages: msgs.length, retryInMs: delayMs }, 'delivery failed; the messages are held (their locks renewed) and offered again after the pipeline\'s retry delay');
        try {
          await sleep(delayMs, this.intake.signal, this.ctx.clock);
        } catch {
          return 'stopped';
        }
      }
    }
  }

  private startSessions(): void {
    this.mode = 'sessions';
    for (let i = 0; i < this.cfg.maxConcurrentSessions; i++) void this.track(this.sessionSlot());
  }

  /** One session at a time: accept the next free one, read it in order until it is idle, close it, repeat. */
  private async sessionSlot(): Promise<void> {
    const batch = this.cfg.prefetchCount > 0 ? this.cfg.prefetchCount : Math.max(1, Math.floor(this.cfg.maxInFlight / this.cfg.maxConcurrentSessions));
    while (!this.intake.signal.aborted && this.api) {
      let session: SessionReceiver;
      try {
        session = await this.api.acceptNextSession(this.intake.signal);
      } catch (err) {
        if (this.intake.signal.aborted) return;
        if (!isNoSession(err)) this.onIntakeError(err, `accept a session of "${this.cfg.entityPath}"`);
        await sleep(NO_SESSION_WAIT_MS, this.intake.signal, this.ctx.clock).catch(() => undefined);
        continue;
      }
      this.counters.sessionsAccepted++;
      this.sessionsActive.add(session.sessionId);
      try {
        await this.readSession(session, batch);
      } finally {
        this.sessionsActive.delete(session.sessionId);
        await session.close().catch(() => undefined);
      }
    }
  }

  private async readSession(session: SessionReceiver, batch: number): Promise<void> {
    while (!this.intake.signal.aborted) {
      let msgs: ServiceBusReceivedMessage[];
      try {
        msgs = await session.receive(batch, SESSION_IDLE_MS, this.intake.signal);
      } catch (err) {
        if (!isLockLost(err)) this.onIntakeError(err, `receive from session "${session.sessionId}"`);
        return;
      }
      if (msgs.length === 0) return;
      const now = this.ctx.clock.now();
      this.counters.received += msgs.length;
      this.onIntakeOk();
      const outcome = await this.deliverUntilCommitted(msgs.map((m) => toUplinkMessage(m, now)), () => false);
      if (outcome === 'lost' || outcome === 'stopped') {
        for (const m of msgs) await this.settler.abandon(session, m);
        return;
      }
      for (const [i, m] of msgs.entries()) await this.settler.settle(session, m, outcome[i]);
    }
  }
}

/**
 * The `thingsboard-gateway` Forwarder: keeps one gateway session open (reconnecting with backoff),
 * registers the known devices at session start, runs the outbox pump on it, handles the back
 * channel, applies the outbox retention and keeps the status (state, last error, outbox depth
 * and lag, counters).
 */
import { Backoff } from '../../core/backoff.ts';
import { sleep } from '../../core/clock.ts';
import { fixFor, toCloudbridgeError, type CloudbridgeError } from '../../core/errors.ts';
import { emptyCounters, type Forwarder, type ForwarderContext, type ForwarderState, type ForwarderStatus } from '../../core/forwarder.ts';
import type { OutboxRow } from '../../store/types.ts';
import { BackChannel } from './back-channel.ts';
import type { ResolvedTbConfig } from './config-spec.ts';
import { GatewaySession } from './gateway-session.ts';
import { OutboxPump } from './outbox-pump.ts';

/** How often the outbox depth is read for the status, and the retention applied. */
const STATS_INTERVAL_MS = 2_000;
const RETENTION_INTERVAL_MS = 60_000;
const FILLING_WARN_EVERY_MS = 10 * 60_000;
const FILLING_RATIO = 0.8;

export class ThingsboardForwarder implements Forwarder {
  private readonly c: ResolvedTbConfig;
  private readonly ctx: ForwarderContext<OutboxRow>;
  private readonly counters = emptyCounters();
  private readonly pump: OutboxPump;
  private readonly backChannel: BackChannel;
  private readonly abort = new AbortController();
  private state: ForwarderState = 'connecting';
  private since: number;
  private lastError: CloudbridgeError | null = null;
  private outbox = { depth: 0, oldestAt: null as number | null };
  private session: GatewaySession | null = null;
  private loop: Promise<void> | null = null;
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private lastRetentionAt = 0;
  private lastFillingWarnAt = -Infinity;

  constructor(config: ResolvedTbConfig, ctx: ForwarderContext<OutboxRow>) {
    this.c = config;
    this.ctx = ctx;
    this.since = ctx.clock.now();
    this.pump = new OutboxPump({
      outbox: ctx.outbox, batchMaxMessages: config.batchMaxMessages, batchMaxDelayMs: config.batchMaxDelayMs,
      maxInFlight: config.maxInFlight, maxPayloadBytes: config.maxPayloadBytes, protocolVersion: config.protocolVersion, clock: ctx.clock, log: ctx.log,
      retryDelayMs: config.reconnect.initialDelayMs,
      rateLimited: (device) => this.backChannel.rateLimited(device),
      onDelivered: (rows, points) => {
        this.counters.deliveredRows += rows;
        this.counters.deliveredPoints += points;
      },
      onRejected: (row, refusal, message) => {
        this.counters.rejected++;
        this.ctx.warn('FORWARDER_ROWS_REFUSED', message, { forwarder: ctx.name, device: row.deviceName, reasonCode: refusal.reasonCode, seq: row.seq });
      },
    });
    this.backChannel = new BackChannel(ctx, this.counters, () => this.pump.nudge());
  }

  async start(): Promise<void> {
    let first: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => { first = resolve; });
    this.loop = this.run(first);
    this.timers.push(setInterval(() => void this.housekeep(), STATS_INTERVAL_MS));
    for (const t of this.timers) t.unref();
    void this.housekeep();
    await settled;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.pump.nudge();
    await this.session?.close();
    await this.loop;
    this.setState('stopped');
  }

  nudge(): void {
    this.pump.nudge();
  }

  status(): ForwarderStatus {
    const now = this.ctx.clock.now();
    return {
      state: this.state, since: this.since,
      lastError: this.lastError ? { code: this.lastError.code, message: this.lastError.message, fix: fixFor(this.lastError.code) } : null,
      outbox: { ...this.outbox, lagMs: this.outbox.oldestAt === null ? 0 : Math.max(0, now - this.outbox.oldestAt) },
      counters: { ...this.counters },
      details: { endpoint: `${this.c.host}:${this.c.port}`, tls: this.c.tls !== undefined, protocolVersion: this.c.protocolVersion, clientId: this.c.clientId },
    };
  }

  private setState(state: ForwarderState): void {
    if (state === this.state) return;
    this.state = state;
    this.since = this.ctx.clock.now();
  }

  private async run(firstAttempt: () => void): Promise<void> {
    const backoff = new Backoff({ initialMs: this.c.reconnect.initialDelayMs, maxMs: this.c.reconnect.maxDelayMs });
    const signal = this.abort.signal;
    while (!signal.aborted) {
      this.setState('connecting');
      let closed: CloudbridgeError | null = null;
      try {
        const session = await GatewaySession.connect(this.c, {
          onMessage: (topic, payload) => this.backChannel.handle(topic, payload),
          onClose: (error) => {
            closed = error;
            this.pump.nudge();
          },
        });
        this.session = session;
        if (signal.aborted) break;
        this.setState('connected');
        this.lastError = null;
        firstAttempt();
        await this.pump.register(session, await this.ctx.devices());
        backoff.reset();
        await this.pump.run(session, signal);
        if (signal.aborted) break;
        throw closed ?? toCloudbridgeError(new Error('session ended'), 'CONNECTION_FAILED');
      } catch (err) {
        if (signal.aborted) break;
        const error = toCloudbridgeError(err, 'CONNECTION_FAILED');
        this.lastError = error;
        this.setState(error.retryable ? 'disconnected' : 'misconfigured');
        this.ctx.log.warn({ code: error.code, err: error.message }, 'ThingsBoard gateway session failed');
        firstAttempt();
        await this.session?.close().catch(() => undefined);
        this.session = null;
        await sleep(error.retryable ? backoff.next() : this.c.reconnect.maxDelayMs, signal, this.ctx.clock).catch(() => undefined);
      }
    }
    firstAttempt();
  }

  /** Reads the outbox depth for the status; applies the retention now and then, warning as it fills. */
  private async housekeep(): Promise<void> {
    try {
      const now = this.ctx.clock.now();
      if (now - this.lastRetentionAt >= RETENTION_INTERVAL_MS) {
        this.lastRetentionAt = now;
        const moved = await this.ctx.outbox.expire({ olderThan: now - this.c.retention.maxAgeMs, maxRows: this.c.retention.maxRows });
        if (moved > 0) {
          this.ctx.warn('FORWARDER_OUTBOX_EXPIRED', `${moved} outbox rows of forwarder "${this.ctx.name}" passed the retention (retention.maxAgeHours / maxRows) and were moved to the dead letters (code OUTBOX_RETENTION) unsent`, { forwarder: this.ctx.name, rows: moved });
        }
      }
      this.outbox = await this.ctx.outbox.stats();
      const max = this.c.retention.maxRows;
      if (this.outbox.depth >= FILLING_RATIO * max && now - this.lastFillingWarnAt >= FILLING_WARN_EVERY_MS) {
        this.lastFillingWarnAt = now;
        this.ctx.warn('FORWARDER_OUTBOX_FILLING', `the outbox of forwarder "${this.ctx.name}" holds ${this.outbox.depth} rows, ${Math.round((100 * this.outbox.depth) / max)} % of retention.maxRows (${max}); beyond it the oldest rows are dead-lettered unsent`, { forwarder: this.ctx.name, depth: this.outbox.depth, maxRows: max });
      }
    } catch (err) {
      this.ctx.log.debug({ err: toCloudbridgeError(err).message }, 'forwarder outbox housekeeping failed');
    }
  }
}

/**
 * One connection of an MQTT source, kept up: its client id, its intake (its share of maxInFlight,
 * PUBACKs held in the connection's PubackGate until the commit), connect and subscribe, reconnect
 * with its own backoff after a drop, and the drop-and-reconnect after a rejected delivery that
 * makes the broker redeliver what was not acknowledged. MqttSource holds one per configured
 * connection and tells the integration what they add up to.
 */
import type { ConnectorContext } from '../../core/connector.ts';
import { Backoff } from '../../core/backoff.ts';
import type { TimerHandle } from '../../core/clock.ts';
import { CloudbridgeError, retryAfterMs, toCloudbridgeError } from '../../core/errors.ts';
import type { SourceConnectionStatus } from '../../core/source-connections.ts';
import { MqttConnection, type GrantedSubscription, type MqttConnectSettings, type TopicFilter } from './mqtt-connection.ts';
import { MqttIntake, type UplinkBuilder } from './mqtt-intake.ts';

/** What a link tells its source. */
export interface MqttLinkEvents {
  /** A reconnect attempt begins. */
  connecting(link: MqttLink): void;
  /** A reconnect succeeded (the first connection is reported by the source's lifecycle). */
  connected(link: MqttLink): void;
  /** The connection dropped or a reconnect failed; another attempt is scheduled. */
  disconnected(link: MqttLink, error: CloudbridgeError): void;
}

export interface MqttLinkOptions {
  /** 1-based number of this connection in the source. */
  n: number;
  clientId: string;
  /** Connection settings for `clientId`, read before every (re)connect. */
  settings(clientId: string): MqttConnectSettings | Promise<MqttConnectSettings>;
  topicFilters: TopicFilter[];
  /** Filters removed from a session resumed at the first connect (the plain filters when subscribing shared). */
  staleFilters: string[];
  /**
   * Subscribe again on every connect, even to a resumed session (shared subscriptions: Mosquitto
   * before 2.0.12 restores a session from its persistence file without its $share subscriptions,
   * answering sessionPresent and then delivering nothing). Subscribing again is harmless.
   */
  subscribeEveryConnect: boolean;
  /** This connection's cap on deliveries in flight (also its MQTT 5 Receive Maximum). */
  maxInFlight: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  toUplink?: UplinkBuilder | undefined;
  stableAfterMs: number;
  disconnectTimeoutMs: number;
  random?: (() => number) | undefined;
  ctx: ConnectorContext;
  /** Aborted when the drain time is over (deliveries still waiting give up). */
  deliverySignal: AbortSignal;
  /** Aborted when the source stops (connection attempts are abandoned). */
  stopSignal: AbortSignal;
  /** Whether connection events are acted upon (the source is starting or running). */
  live(): boolean;
  events: MqttLinkEvents;
}

/** The status row of one connection (`details.connections` of an MQTT integration). */
export interface MqttConnectionStatus extends SourceConnectionStatus {
  sessionPresent: boolean | null;
  connectedSince: number | null;
  delivered: number;
  rejected: number;
  /** QoS 1 messages received on the current connection and not acknowledged yet. */
  unacked: number;
  inFlight: number;
  maxInFlight: number;
}

export class MqttLink {
  readonly intake: MqttIntake;
  private readonly opts: MqttLinkOptions;
  private readonly ctx: ConnectorContext;
  private readonly backoff: Backoff;
  private conn: MqttConnection | null = null;
  private granted: GrantedSubscription[] = [];
  private reconnectTimer: TimerHandle | null = null;
  private reconnectCount = 0;
  private connectedAt: number | null = null;
  private settings: MqttConnectSettings | null = null;
  private deliveryFailure: unknown = null;
  private lastError: CloudbridgeError | null = null;
  private readonly rejectedBeforeAdopt = new WeakMap<MqttConnection, CloudbridgeError>();

  constructor(opts: MqttLinkOptions) {
    this.opts = opts;
    this.ctx = opts.ctx;
    this.backoff = new Backoff({ initialMs: opts.reconnect.initialDelayMs, maxMs: opts.reconnect.maxDelayMs, random: opts.random });
    this.intake = new MqttIntake({
      maxInFlight: opts.maxInFlight,
      ctx: opts.ctx,
      signal: opts.deliverySignal,
      toUplink: opts.toUplink,
      onRejected: (conn, err, qos) => this.onDeliveryRejected(conn, err, qos),
    });
  }

  get clientId(): string {
    return this.opts.clientId;
  }

  /** The open connection, if any. */
  get connection(): MqttConnection | null {
    return this.conn?.isOpen ? this.conn : null;
  }

  get connected(): boolean {
    return this.conn?.isOpen ?? false;
  }

  get connectedSince(): number | null {
    return this.connected ? this.connectedAt : null;
  }

  get reconnects(): number {
    return this.reconnectCount;
  }

  get subscriptions(): GrantedSubscription[] {
    return this.granted.map((s) => ({ ...s }));
  }

  get sessionPresent(): boolean | null {
    return this.conn ? this.conn.sessionPresent : null;
  }

  /** QoS 1 messages received on the current connection and not acknowledged yet. */
  get unacked(): number {
    return this.conn?.gate.pending ?? 0;
  }

  /** The settings of the last connection attempt. */
  get lastSettings(): MqttConnectSettings | null {
    return this.settings;
  }

  status(): MqttConnectionStatus {
    const c = this.intake.counters;
    return {
      connection: this.opts.n,
      clientId: this.opts.clientId,
      connected: this.connected,
      sessionPresent: this.sessionPresent,
      connectedSince: this.connectedSince,
      reconnects: this.reconnectCount,
      received: c.received,
      delivered: c.delivered,
      rejected: c.rejected,
      unacked: this.unacked,
      inFlight: this.intake.limit.used,
      maxInFlight: this.intake.limit.capacity,
      lastError: this.lastError ? { code: this.lastError.code, message: this.lastError.message } : null,
    };
  }

  /** The first connection: throws a translated CloudbridgeError when it fails. */
  async open(signal: AbortSignal): Promise<void> {
    this.adopt(await this.connectOnce(true, signal), false);
  }

  /** Stop step: no reconnect, no more messages taken in (the broker keeps them). */
  halt(): void {
    if (this.reconnectTimer) this.ctx.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.intake.stop();
  }

  /** Resolves once no delivery is outstanding and every PUBACK due was written. */
  drained(): Promise<unknown> {
    return Promise.all([this.intake.idle(), this.conn?.gate.idle()]);
  }

  /** Stop step (and after a failed start): PUBACKs written so far go out before the DISCONNECT. */
  async close(): Promise<void> {
    this.intake.stop();
    const conn = this.conn;
    this.conn = null;
    if (conn) await conn.close({ graceful: true, timeoutMs: this.opts.disconnectTimeoutMs });
  }

  /** Opens a connection and subscribes when needed (first connection, clean session, session lost). */
  private async connectOnce(first: boolean, signal: AbortSignal): Promise<MqttConnection> {
    // MQTT 5: the broker itself keeps at most this link's share of maxInFlight QoS 1 messages
    // un-acknowledged, so the intake rarely has to stop reading the socket (which would also
    // delay keepalive answers).
    const settings = { receiveMaximum: this.opts.maxInFlight, ...(await this.opts.settings(this.opts.clientId)) };
    this.settings = settings;
    const conn = await MqttConnection.open(settings, {
      onMessage: (c, packet, done) => this.intake.handle(c, packet, done),
      onClose: (c, error, requested) => this.onConnectionClosed(c, error, requested),
    }, signal);
    try {
      const subscribing = first || settings.cleanSession || !conn.sessionPresent || this.opts.subscribeEveryConnect;
      // The session was a single connection's: its plain subscriptions would deliver every message
      // a second time, next to the shared ones.
      const stale = first && conn.sessionPresent ? this.opts.staleFilters : [];
      // Both requests go out at once, before our first PUBACK: a broker streaming a resumed
      // session's backlog answers what comes after PUBACKs only behind that backlog. The SUBSCRIBE
      // goes first, so the connection never leaves the group in between.
      const [granted, removed] = await Promise.allSettled([
        subscribing ? conn.subscribe(this.opts.topicFilters) : Promise.resolve(null),
        stale.length > 0 ? conn.unsubscribe(stale) : Promise.resolve(),
      ]);
      if (granted.status === 'rejected') throw granted.reason;
      if (removed.status === 'rejected') throw removed.reason;
      if (granted.value) {
        this.granted = granted.value;
        this.ctx.log.info({ clientId: settings.clientId, filters: this.granted, sessionPresent: conn.sessionPresent }, 'subscribed');
      }
      if (stale.length > 0) this.ctx.log.info({ clientId: settings.clientId, filters: stale }, 'unsubscribed the plain filters of the resumed session');
    } catch (err) {
      await conn.close({ graceful: false });
      throw err;
    }
    if (!conn.isOpen) throw new CloudbridgeError('CONNECTION_FAILED', `the connection to ${conn.errors.endpoint} closed while subscribing`);
    return conn;
  }

  /** Makes `conn` the current connection; `report`: tell the source (reconnects; the lifecycle reports the first). */
  private adopt(conn: MqttConnection, report: boolean): void {
    this.conn = conn;
    this.connectedAt = this.ctx.clock.now();
    this.lastError = null;
    this.ctx.log.info({ endpoint: conn.errors.endpoint, clientId: conn.settings.clientId, sessionPresent: conn.sessionPresent }, 'connected');
    if (report) this.opts.events.connected(this);
    const rejected = this.rejectedBeforeAdopt.get(conn);
    if (rejected) this.dropForRedelivery(conn, rejected);
  }

  private onConnectionClosed(conn: MqttConnection, error: CloudbridgeError, requested: boolean): void {
    if (conn !== this.conn) return;
    this.conn = null;
    if (!this.opts.live()) return;
    const lived = this.ctx.clock.now() - (this.connectedAt ?? 0);
    if (lived >= this.opts.stableAfterMs) this.backoff.reset();
    const deliveryFailure = this.deliveryFailure;
    this.deliveryFailure = null;
    const reported = requested && deliveryFailure !== null ? toCloudbridgeError(deliveryFailure, 'STORE_UNAVAILABLE') : error;
    // After a rejected delivery, come back when the pipeline takes deliveries again.
    const delayMs = (deliveryFailure !== null ? retryAfterMs(deliveryFailure) : null) ?? this.backoff.next();
    this.ctx.log.warn({ clientId: this.opts.clientId, code: reported.code, err: reported.message, retryInMs: delayMs }, 'MQTT connection closed; reconnecting');
    this.lastError = reported;
    this.opts.events.disconnected(this, reported);
    this.scheduleReconnect(delayMs);
  }

  private scheduleReconnect(delayMs: number): void {
    this.reconnectTimer = this.ctx.clock.setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnect();
    }, delayMs);
    this.reconnectTimer.unref?.();
  }

  private async reconnect(): Promise<void> {
    if (!this.opts.live()) return;
    this.opts.events.connecting(this);
    let conn: MqttConnection;
    try {
      conn = await this.connectOnce(false, this.opts.stopSignal);
    } catch (err) {
      if (!this.opts.live()) return;
      const error = toCloudbridgeError(err, 'CONNECTION_FAILED');
      const delayMs = this.backoff.next();
      this.ctx.log.warn({ clientId: this.opts.clientId, code: error.code, err: error.message, retryInMs: delayMs }, 'MQTT reconnect failed');
      this.lastError = error;
      this.opts.events.disconnected(this, error);
      this.scheduleReconnect(delayMs);
      return;
    }
    if (!this.opts.live()) {
      await conn.close({ graceful: true, timeoutMs: this.opts.disconnectTimeoutMs });
      return;
    }
    this.reconnectCount++;
    this.adopt(conn, true);
  }

  private onDeliveryRejected(conn: MqttConnection, err: unknown, qos: number): void {
    if (!this.opts.live() || this.ctx.signal.aborted) return;
    const error = toCloudbridgeError(err, 'STORE_UNAVAILABLE');
    if (qos === 0) {
      this.ctx.log.warn({ code: error.code, err: error.message }, 'a QoS 0 message could not be delivered and is lost (QoS 0 is never redelivered)');
      return;
    }
    if (!conn.accepting) return;
    if (conn !== this.conn) {
      // Still being set up (messages of a resumed session arrive before the SUBACK): handled in adopt().
      if (!this.rejectedBeforeAdopt.has(conn)) this.rejectedBeforeAdopt.set(conn, error);
      return;
    }
    this.dropForRedelivery(conn, error);
  }

  private dropForRedelivery(conn: MqttConnection, error: CloudbridgeError): void {
    this.ctx.log.warn({ clientId: this.opts.clientId, code: error.code, err: error.message }, 'delivery rejected: reconnecting so the broker redelivers the un-acknowledged messages');
    this.deliveryFailure = error;
    void conn.close({ graceful: false });
  }
}


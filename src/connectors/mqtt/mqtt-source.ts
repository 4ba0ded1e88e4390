/**
 * An MQTT source: the Connector shared by every MQTT-based connector (`mqtt`, `aws-iot-core`,
 * `ibm-watson-iot`). It connects, subscribes, hands messages to the pipeline with PUBACKs held back
 * until they are committed, reconnects with exponential backoff and jitter, resubscribes when the
 * broker lost the session, and publishes downlinks with QoS 1.
 *
 * Redelivery model (`mqtt-session`): MQTT has no negative acknowledgement. A message whose delivery
 * was rejected is never acknowledged, and the source drops the connection and reconnects after the
 * delay the pipeline asked for (`retryAfterMs`), so the broker redelivers everything
 * un-acknowledged of the persistent session, flagged DUP. That needs `cleanSession: false` and a
 * fixed client id.
 *
 * Start, stop and the drain are the shared SourceLifecycle (src/core/source-lifecycle.ts).
 *
 * Backpressure: with `maxInFlight` deliveries outstanding the intake stops reading the socket. With
 * MQTT 5 the broker is told the same cap (Receive Maximum), so that rarely happens; with MQTT 3.1.1
 * a pipeline stalled for longer than 1.5 x keepalive also delays PINGRESPs, and mqtt.js then
 * drops the connection: the source reconnects and the broker redelivers (checked as DUP).
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorContext, Connector } from '../../core/connector.ts';
import { Backoff } from '../../core/backoff.ts';
import type { TimerHandle } from '../../core/clock.ts';
import { CloudbridgeError, retryAfterMs, toCloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import { SourceLifecycle } from '../../core/source-lifecycle.ts';
import {
  errorContext, MqttConnection, type GrantedSubscription, type MqttConnectSettings, type TopicFilter,
} from './mqtt-connection.ts';
import { MqttIntake, type UplinkBuilder } from './mqtt-intake.ts';
import { checkTlsMaterial } from './tls-material.ts';
import { fillTopicPattern } from './topic-pattern.ts';

export interface MqttSourceOptions {
  /** Connection settings, called before every (re)connect so rotated credentials are picked up. */
  settings(): MqttConnectSettings | Promise<MqttConnectSettings>;
  topicFilters: TopicFilter[];
  /** Cap on messages handed to the pipeline and not settled yet. */
  maxInFlight: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  /** `${key}` pattern for downlinks; without it `sendDownlink` rejects with DOWNLINK_UNSUPPORTED. */
  downlinkTopicPattern?: string | undefined;
  /** Custom PUBLISH → UplinkMessage mapping (default: topic metadata, content-hash sourceKey). */
  toUplink?: UplinkBuilder | undefined;
  /** A connection that lasted this long resets the reconnect backoff (default 10 s). */
  stableAfterMs?: number | undefined;
  /** How long a graceful DISCONNECT may take before the socket is dropped (default 2 s). */
  disconnectTimeoutMs?: number | undefined;
  /** Random source for backoff jitter (tests). */
  random?: (() => number) | undefined;
  /**
   * Raise TLS_CERTIFICATE_EXPIRY warnings for expired or soon-expiring certificates in the TLS
   * settings before connecting (default true). Off for connectors that check their certificates
   * themselves with their own field names and advice.
   */
  certificateWarnings?: boolean | undefined;
}

export interface MqttSourceStatus {
  [key: string]: unknown;
  connected: boolean;
  endpoint: string | null;
  clientId: string | null;
  sessionPresent: boolean | null;
  subscriptions: GrantedSubscription[];
  /** QoS 1 messages received on the current connection and not acknowledged yet. */
  unacked: number;
  /** Deliveries handed to the pipeline and not settled yet (all connections). */
  inFlight: number;
  maxInFlight: number;
  reconnects: number;
  received: number;
  delivered: number;
  rejected: number;
  lastMessageAt: number | null;
  connectedSince: number | null;
}

export class MqttSource implements Connector {
  private readonly opts: MqttSourceOptions;
  private readonly ctx: ConnectorContext;
  private readonly life: SourceLifecycle;
  private readonly intake: MqttIntake;
  private readonly connectBackoff: Backoff;
  private current: MqttConnection | null = null;
  private subscriptions: GrantedSubscription[] = [];
  private reconnectTimer: TimerHandle | null = null;
  private reconnectCount = 0;
  private connectedAt: number | null = null;
  private lastSettings: MqttConnectSettings | null = null;
  private deliveryFailure: unknown = null;
  private readonly rejectedBeforeAdopt = new WeakMap<MqttConnection, CloudbridgeError>();
  private readonly certificateWarnings = new Set<string>();

  constructor(opts: MqttSourceOptions, ctx: ConnectorContext) {
    this.opts = opts;
    this.ctx = ctx;
    this.connectBackoff = new Backoff({ initialMs: opts.reconnect.initialDelayMs, maxMs: opts.reconnect.maxDelayMs, random: opts.random });
    this.life = new SourceLifecycle({
      name: 'the MQTT source',
      ctx,
      steps: {
        open: async (signal) => this.adopt(await this.connectOnce(true, signal), false),
        halt: () => this.halt(),
        drained: () => Promise.all([this.intake.idle(), this.current?.gate.idle()]),
        close: () => this.close(),
      },
    });
    this.intake = new MqttIntake({
      maxInFlight: opts.maxInFlight,
      ctx,
      signal: this.life.deliverySignal,
      toUplink: opts.toUplink,
      onRejected: (conn, err, qos) => this.onDeliveryRejected(conn, err, qos),
    });
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(opts: { drainMs?: number } = {}): Promise<void> {
    return this.life.stop(opts.drainMs);
  }

  status(): MqttSourceStatus {
    const conn = this.current;
    const c = this.intake.counters;
    return {
      connected: conn?.isOpen ?? false,
      endpoint: this.lastSettings ? errorContext(this.lastSettings).endpoint : null,
      clientId: this.lastSettings?.clientId ?? null,
      sessionPresent: conn ? conn.sessionPresent : null,
      subscriptions: this.subscriptions.map((s) => ({ ...s })),
      unacked: conn?.gate.pending ?? 0,
      inFlight: this.intake.limit.used,
      maxInFlight: this.intake.limit.capacity,
      reconnects: this.reconnectCount,
      received: c.received,
      delivered: c.delivered,
      rejected: c.rejected,
      lastMessageAt: this.intake.lastMessageAt,
      connectedSince: conn?.isOpen ? this.connectedAt : null,
    };
  }

  async sendDownlink(msg: EncodedDownlink, signal?: AbortSignal): Promise<void> {
    const pattern = this.opts.downlinkTopicPattern;
    if (!pattern) {
      throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', 'this integration has no downlinkTopicPattern: set one (e.g. "devices/${deviceName}/commands") to send downlinks', { field: 'downlinkTopicPattern' });
    }
    const topic = fillTopicPattern(pattern, msg.metadata);
    const conn = this.current;
    if (!conn || !conn.isOpen) {
      throw new CloudbridgeError('DOWNLINK_FAILED', `not connected to the MQTT broker${this.lastSettings ? ` at ${errorContext(this.lastSettings).endpoint}` : ''}; the downlink can be sent again once it reconnects`);
    }
    await conn.publish(topic, msg.data, signal);
  }

  private get disconnectTimeoutMs(): number {
    return this.opts.disconnectTimeoutMs ?? 2000;
  }

  /** Started, or starting with its first connection made: connection events are acted upon. */
  private get live(): boolean {
    return this.life.phase === 'running' || this.life.phase === 'starting';
  }

  /** Opens a connection and subscribes when needed (first connection, clean session, session lost). */
  private async connectOnce(first: boolean, signal: AbortSignal): Promise<MqttConnection> {
    // MQTT 5: the broker itself keeps at most maxInFlight QoS 1 messages un-acknowledged, so the
    // intake rarely has to stop reading the socket (which would also delay keepalive answers).
    const settings = { receiveMaximum: this.opts.maxInFlight, ...(await this.opts.settings()) };
    this.lastSettings = settings;
    this.warnAboutCertificates(settings);
    const conn = await MqttConnection.open(settings, {
      onMessage: (c, packet, done) => this.intake.handle(c, packet, done),
      onClose: (c, error, requested) => this.onConnectionClosed(c, error, requested),
    }, signal);
    try {
      if (first || settings.cleanSession || !conn.sessionPresent) {
        this.subscriptions = await conn.subscribe(this.opts.topicFilters);
        this.ctx.log.info({ filters: this.subscriptions, sessionPresent: conn.sessionPresent }, 'subscribed');
      }
    } catch (err) {
      await conn.close({ graceful: false });
      throw err;
    }
    if (!conn.isOpen) throw new CloudbridgeError('CONNECTION_FAILED', `the connection to ${conn.errors.endpoint} closed while subscribing`);
    return conn;
  }

  /** Surfaces expired or soon-expiring certificates as integration warnings (once per text). */
  private warnAboutCertificates(settings: MqttConnectSettings): void {
    if (!settings.tls || this.opts.certificateWarnings === false) return;
    let warnings: string[];
    try {
      warnings = checkTlsMaterial(settings.tls, 'tls', this.ctx.clock.now());
    } catch {
      return; // unusable material: the connection attempt reports it as TLS_FAILED
    }
    for (const warning of warnings) {
      if (this.certificateWarnings.has(warning)) continue;
      this.certificateWarnings.add(warning);
      this.ctx.warn('TLS_CERTIFICATE_EXPIRY', warning);
    }
  }

  /** Makes `conn` the current connection; `report`: say so (reconnects; the lifecycle reports the first). */
  private adopt(conn: MqttConnection, report: boolean): void {
    this.current = conn;
    this.connectedAt = this.ctx.clock.now();
    this.ctx.log.info({ endpoint: conn.errors.endpoint, clientId: conn.settings.clientId, sessionPresent: conn.sessionPresent }, 'connected');
    if (report) this.ctx.reportState('connected');
    const rejected = this.rejectedBeforeAdopt.get(conn);
    if (rejected) this.dropForRedelivery(conn, rejected);
  }

  private onConnectionClosed(conn: MqttConnection, error: CloudbridgeError, requested: boolean): void {
    if (conn !== this.current) return;
    this.current = null;
    if (!this.live) return;
    const lived = this.ctx.clock.now() - (this.connectedAt ?? 0);
    if (lived >= (this.opts.stableAfterMs ?? 10_000)) this.connectBackoff.reset();
    const deliveryFailure = this.deliveryFailure;
    this.deliveryFailure = null;
    const reported = requested && deliveryFailure !== null ? toCloudbridgeError(deliveryFailure, 'STORE_UNAVAILABLE') : error;
    // After a rejected delivery, come back when the pipeline takes deliveries again.
    const delayMs = (deliveryFailure !== null ? retryAfterMs(deliveryFailure) : null) ?? this.connectBackoff.next();
    this.ctx.log.warn({ code: reported.code, err: reported.message, retryInMs: delayMs }, 'MQTT connection closed; reconnecting');
    this.ctx.reportState('disconnected', reported);
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
    if (!this.live) return;
    this.ctx.reportState('connecting');
    let conn: MqttConnection;
    try {
      conn = await this.connectOnce(false, this.life.stopSignal);
    } catch (err) {
      if (!this.live) return;
      const error = toCloudbridgeError(err, 'CONNECTION_FAILED');
      const delayMs = this.connectBackoff.next();
      this.ctx.log.warn({ code: error.code, err: error.message, retryInMs: delayMs }, 'MQTT reconnect failed');
      this.ctx.reportState('disconnected', error);
      this.scheduleReconnect(delayMs);
      return;
    }
    if (!this.live) {
      await conn.close({ graceful: true, timeoutMs: this.disconnectTimeoutMs });
      return;
    }
    this.reconnectCount++;
    this.adopt(conn, true);
  }

  private onDeliveryRejected(conn: MqttConnection, err: unknown, qos: number): void {
    if (!this.live || this.ctx.signal.aborted) return;
    const error = toCloudbridgeError(err, 'STORE_UNAVAILABLE');
    if (qos === 0) {
      this.ctx.log.warn({ code: error.code, err: error.message }, 'a QoS 0 message could not be delivered and is lost (QoS 0 is never redelivered)');
      return;
    }
    if (!conn.accepting) return;
    if (conn !== this.current) {
      // Still being set up (messages of a resumed session arrive before the SUBACK): handled in adopt().
      if (!this.rejectedBeforeAdopt.has(conn)) this.rejectedBeforeAdopt.set(conn, error);
      return;
    }
    this.dropForRedelivery(conn, error);
  }

  private dropForRedelivery(conn: MqttConnection, error: CloudbridgeError): void {
    this.ctx.log.warn({ code: error.code, err: error.message }, 'delivery rejected: reconnecting so the broker redelivers the un-acknowledged messages');
    this.deliveryFailure = error;
    void conn.close({ graceful: false });
  }

  /** Stop step: no reconnect, no more messages taken in (the broker keeps them). */
  private halt(): void {
    if (this.reconnectTimer) this.ctx.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.intake.stop();
  }

  /** Stop step (and after a failed start): PUBACKs written so far go out before the DISCONNECT. */
  private async close(): Promise<void> {
    this.intake.stop();
    const conn = this.current;
    this.current = null;
    if (conn) await conn.close({ graceful: true, timeoutMs: this.disconnectTimeoutMs });
  }
}

/** The default client id: unique per connector instance, stable across its reconnects. */
export function randomClientId(prefix = 'cloudbridge'): string {
  return `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

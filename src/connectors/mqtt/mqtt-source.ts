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
 * Several connections (`connections` above 1, or a `sharedGroup`): one MqttLink per connection,
 * each with its own client id, persistent session, PubackGate, share of maxInFlight and reconnect
 * backoff, all subscribed to the filters as one broker shared subscription (shared-subscription.ts).
 * The integration is connected when every connection is; one that drops reports `disconnected`
 * with its error while the others go on.
 *
 * Start, stop and the drain are the shared SourceLifecycle (src/core/source-lifecycle.ts).
 *
 * Backpressure: with its share of `maxInFlight` deliveries outstanding a connection's intake stops
 * reading its socket. With MQTT 5 the broker is told the same cap (Receive Maximum), so that
 * rarely happens; with MQTT 3.1.1
 * a pipeline stalled for longer than 1.5 x keepalive also delays PINGRESPs, and mqtt.js then
 * drops the connection: the source reconnects and the broker redelivers (checked as DUP).
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorContext, Connector } from '../../core/connector.ts';
import { CloudbridgeError, toCloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import { SourceLifecycle } from '../../core/source-lifecycle.ts';
import { errorContext, type GrantedSubscription, type MqttConnectSettings, type TopicFilter } from './mqtt-connection.ts';
import type { UplinkBuilder } from './mqtt-intake.ts';
import { MqttLink, type MqttConnectionStatus, type MqttLinkEvents } from './mqtt-link.ts';
import {
  connectionClientId, MQTT_CONNECTIONS, sharingGroup, splitInFlight, subscriptionFilters,
} from './shared-subscription.ts';
import { fillTopicPattern } from './topic-pattern.ts';

export interface MqttSourceOptions {
  /** Client id of the first connection; connection i > 1 uses `<clientId>-<i>`. */
  clientId: string;
  /** Connection settings for a client id, called before every (re)connect so rotated credentials are picked up. */
  settings(clientId: string): MqttConnectSettings | Promise<MqttConnectSettings>;
  topicFilters: TopicFilter[];
  /** Cap on messages handed to the pipeline and not settled yet, over all connections. */
  maxInFlight: number;
  /** Connections to open (default 1). Above 1 they subscribe as one shared subscription. */
  connections?: number | undefined;
  /** Shared subscription group (default with several connections: the client id). */
  sharedGroup?: string | undefined;
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
}

export interface MqttSourceStatus {
  [key: string]: unknown;
  /** Every connection is up. */
  connected: boolean;
  endpoint: string | null;
  /** The client id of the first connection. */
  clientId: string | null;
  /** The first connection's session was resumed. */
  sessionPresent: boolean | null;
  /** What the broker granted the first connection (every connection subscribes to the same filters). */
  subscriptions: GrantedSubscription[];
  /** The shared subscription group, or null for plain subscriptions. */
  sharedGroup: string | null;
  /** Connections that are up, of `connections.length`. */
  connectedCount: number;
  /** One row per connection. */
  connections: MqttConnectionStatus[];
  /** QoS 1 messages received on the current connections and not acknowledged yet. */
  unacked: number;
  /** Deliveries handed to the pipeline and not settled yet (all connections). */
  inFlight: number;
  maxInFlight: number;
  reconnects: number;
  received: number;
  delivered: number;
  rejected: number;
  lastMessageAt: number | null;
  /** Since when every connection is up (null while one is not). */
  connectedSince: number | null;
}

export class MqttSource implements Connector {
  private readonly opts: MqttSourceOptions;
  private readonly ctx: ConnectorContext;
  private readonly life: SourceLifecycle;
  private readonly links: MqttLink[];
  private readonly group: string | null;

  constructor(opts: MqttSourceOptions, ctx: ConnectorContext) {
    this.opts = opts;
    this.ctx = ctx;
    this.life = new SourceLifecycle({
      name: 'the MQTT source',
      ctx,
      steps: {
        open: (signal) => this.open(signal),
        halt: () => { for (const link of this.links) link.halt(); },
        drained: () => Promise.all(this.links.map((link) => link.drained())),
        close: async () => { await Promise.all(this.links.map((link) => link.close())); },
      },
    });
    const connections = opts.connections ?? MQTT_CONNECTIONS.default;
    this.group = sharingGroup({ connections, sharedGroup: opts.sharedGroup }, opts.clientId);
    const filters = subscriptionFilters(opts.topicFilters, this.group);
    const inFlight = splitInFlight(opts.maxInFlight, connections);
    const events: MqttLinkEvents = {
      connecting: () => ctx.reportState('connecting'),
      connected: () => { if (this.links.every((link) => link.connected)) ctx.reportState('connected'); },
      disconnected: (_link, error) => ctx.reportState('disconnected', error),
    };
    this.links = inFlight.map((maxInFlight, i) => new MqttLink({
      n: i + 1,
      clientId: connectionClientId(opts.clientId, i + 1),
      settings: opts.settings,
      topicFilters: filters,
      staleFilters: this.group !== null && i === 0 ? opts.topicFilters.map((f) => f.filter) : [],
      subscribeEveryConnect: this.group !== null,
      maxInFlight,
      reconnect: opts.reconnect,
      toUplink: opts.toUplink,
      stableAfterMs: opts.stableAfterMs ?? 10_000,
      disconnectTimeoutMs: opts.disconnectTimeoutMs ?? 2000,
      random: opts.random,
      ctx,
      deliverySignal: this.life.deliverySignal,
      stopSignal: this.life.stopSignal,
      live: () => this.live,
      events,
    }));
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(opts: { drainMs?: number } = {}): Promise<void> {
    return this.life.stop(opts.drainMs);
  }

  status(): MqttSourceStatus {
    const rows = this.links.map((link) => link.status());
    const first = this.links[0];
    const settings = this.links.find((link) => link.lastSettings)?.lastSettings ?? null;
    const sum = (pick: (row: MqttConnectionStatus) => number): number => rows.reduce((total, row) => total + pick(row), 0);
    const connectedCount = rows.filter((row) => row.connected).length;
    const since = rows.map((row) => row.connectedSince);
    const lastMessages = this.links.map((link) => link.intake.lastMessageAt).filter((at): at is number => at !== null);
    return {
      connected: connectedCount === rows.length,
      endpoint: settings ? errorContext(settings).endpoint : null,
      clientId: first?.lastSettings?.clientId ?? null,
      sessionPresent: first?.sessionPresent ?? null,
      subscriptions: first?.subscriptions ?? [],
      sharedGroup: this.group,
      connectedCount,
      connections: rows,
      unacked: sum((row) => row.unacked),
      inFlight: sum((row) => row.inFlight),
      maxInFlight: this.opts.maxInFlight,
      reconnects: sum((row) => row.reconnects),
      received: sum((row) => row.received),
      delivered: sum((row) => row.delivered),
      rejected: sum((row) => row.rejected),
      lastMessageAt: lastMessages.length > 0 ? Math.max(...lastMessages) : null,
      connectedSince: since.every((at) => at !== null) ? Math.max(...since) : null,
    };
  }

  async sendDownlink(msg: EncodedDownlink, signal?: AbortSignal): Promise<void> {
    const pattern = this.opts.downlinkTopicPattern;
    if (!pattern) {
      throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', 'this integration has no downlinkTopicPattern: set one (e.g. "devices/${deviceName}/commands") to send downlinks', { field: 'downlinkTopicPattern' });
    }
    const topic = fillTopicPattern(pattern, msg.metadata);
    const conn = this.links.find((link) => link.connection)?.connection;
    if (!conn) {
      const settings = this.links[0]?.lastSettings;
      throw new CloudbridgeError('DOWNLINK_FAILED', `not connected to the MQTT broker${settings ? ` at ${errorContext(settings).endpoint}` : ''}; the downlink can be sent again once it reconnects`);
    }
    await conn.publish(topic, msg.data, signal);
  }

  /** Started, or starting with its first connections made: connection events are acted upon. */
  private get live(): boolean {
    return this.life.phase === 'running' || this.life.phase === 'starting';
  }

  /**
   * Start step: opens every connection at once. When one fails, the attempts still under way are
   * abandoned and the first failure is what the start reports (the lifecycle then closes the
   * connections that were made).
   */
  private async open(signal: AbortSignal): Promise<void> {
    const attempts = new AbortController();
    const abandon = (): void => attempts.abort(signal.reason);
    signal.addEventListener('abort', abandon, { once: true });
    let failure: unknown = null;
    try {
      await Promise.all(this.links.map((link) => link.open(attempts.signal).catch((err: unknown) => {
        if (failure === null) failure = err;
        attempts.abort(err);
      })));
    } finally {
      signal.removeEventListener('abort', abandon);
    }
    if (failure !== null) throw toCloudbridgeError(failure, 'CONNECTION_FAILED');
  }
}

/** The default client id: unique per connector instance, stable across its reconnects. */
export function randomClientId(prefix = 'cloudbridge'): string {
  return `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

/**
 * The `ibm-watson-iot` Connector: the shared MqttSource (PUBACK after commit, durable session,
 * backoff, content-hash dedupe) connected as a Watson IoT application, with the topic parts as
 * metadata, device status messages stored as the `connected` attribute, commands published to the
 * fixed command topic, and a warning when another application keeps taking over the client id.
 */
import type { Connector, ConnectorContext } from '../../core/connector.ts';
import { isCloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import { MqttSource, type MqttConnectSettings, type MqttSourceStatus } from '../mqtt/index.ts';
import { resolveWatsonConfig, WATSON_DEFAULTS, type ResolvedWatsonConfig, type WatsonIotConfig } from './config-spec.ts';
import { watsonCommandTopic } from './downlink.ts';
import { TakeoverWatch } from './takeover-watch.ts';
import { subscriptionFilters } from './topics.ts';
import { watsonUplinkBuilder } from './uplink-message.ts';
import { validateWatsonConfig } from './validate.ts';
import { TAKEOVER_ADVICE, watsonErrorAdvisor } from './watson-errors.ts';

export interface WatsonSourceStatus extends MqttSourceStatus {
  orgId: string;
  appId: string;
  apiKey: string;
  sharedSubscription: boolean;
  deviceStatus: boolean;
  /** Established connections Watson IoT closed (client id takeovers among them). */
  brokerCloses: number;
}

export interface WatsonSourceOptions {
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

/** MQTT settings for one connection; `clientId` overrides the configured one (connection check). */
export function watsonConnectSettings(c: ResolvedWatsonConfig, clientId = c.clientId, customHost = false): MqttConnectSettings {
  return {
    host: c.host,
    port: c.port,
    tls: { ca: c.ca, rejectUnauthorized: true },
    clientId,
    // Watson IoT offers scalable (A:) applications only non-durable subscriptions.
    cleanSession: c.sharedSubscription,
    keepaliveSeconds: c.keepaliveSeconds,
    protocolVersion: WATSON_DEFAULTS.protocolVersion,
    username: c.apiKey,
    password: c.authToken,
    connectTimeoutMs: c.connectTimeoutMs,
    adviseError: watsonErrorAdvisor({ orgId: c.orgId, apiKey: c.apiKey, clientId, customHost }),
  };
}

export class WatsonIotSource implements Connector {
  private readonly raw: WatsonIotConfig;
  private readonly ctx: ConnectorContext;
  private readonly config: ResolvedWatsonConfig;
  private readonly mqtt: MqttSource;
  private readonly takeovers: TakeoverWatch;

  constructor(config: WatsonIotConfig, ctx: ConnectorContext, opts: WatsonSourceOptions = {}) {
    this.raw = config;
    this.ctx = ctx;
    const c = resolveWatsonConfig(config);
    this.config = c;
    this.takeovers = new TakeoverWatch({
      clock: ctx.clock,
      onConflict: (closes, windowMs) => ctx.warn('WATSON_CLIENT_ID_CONFLICT',
        `Watson IoT closed the connection of client id "${c.clientId}" ${closes} times within ${Math.round(windowMs / 60_000)} minutes: another application connects with the same client id and each takes over the other's connection: ${TAKEOVER_ADVICE}.`,
        { field: 'appId', clientId: c.clientId }),
    });
    const watched: ConnectorContext = {
      ...ctx,
      reportState: (state, error) => {
        if (state === 'disconnected' && isCloudbridgeError(error) && error.details.closedByBroker === true) this.takeovers.closed();
        ctx.reportState(state, error);
      },
    };
    this.mqtt = new MqttSource({
      clientId: c.clientId,
      settings: (clientId) => watsonConnectSettings(c, clientId, config.host !== undefined),
      topicFilters: subscriptionFilters(c.events, c.deviceStatus),
      maxInFlight: c.maxInFlight,
      reconnect: c.reconnect,
      downlinkTopicPattern: '${topic}',
      toUplink: watsonUplinkBuilder({ deviceStatus: c.deviceStatus, statusDeviceName: c.statusDeviceName }),
      random: opts.random,
    }, watched);
  }

  /** Validates (CONFIG_INVALID for a malformed key, an org mismatch...), raises the warnings, connects. */
  async start(): Promise<void> {
    const { warnings } = validateWatsonConfig(this.raw);
    for (const w of warnings) this.ctx.warn('CONFIG_WARNING', w);
    await this.mqtt.start();
  }

  stop(opts: { drainMs?: number } = {}): Promise<void> {
    return this.mqtt.stop(opts);
  }

  status(): WatsonSourceStatus {
    const c = this.config;
    return {
      ...this.mqtt.status(),
      orgId: c.orgId,
      appId: c.appId,
      apiKey: c.apiKey,
      sharedSubscription: c.sharedSubscription,
      deviceStatus: c.deviceStatus,
      brokerCloses: this.takeovers.brokerCloses,
    };
  }

  /** Publishes a command (QoS 1) to the fixed command topic built from the encoder's metadata. */
  sendDownlink(msg: EncodedDownlink, signal: AbortSignal): Promise<void> {
    const topic = watsonCommandTopic(msg);
    return this.mqtt.sendDownlink({ ...msg, metadata: { ...msg.metadata, topic } }, signal);
  }
}

/**
 * Config spec of the generic `mqtt` connector: any MQTT 3.1.1 / 5 broker, optionally over TLS with
 * a client certificate.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  ConnectionsSpec, ConnectTimeoutMsSpec, DownlinkTopicPatternSpec, KeepaliveSecondsSpec, MaxInFlightSpec, MQTT_DEFAULTS, pemSpec,
  ProtocolVersionSpec, ReconnectSpec, resolveReconnect, SharedGroupSpec, TopicFiltersSpec,
} from './spec-parts.ts';
import { MQTT_CONNECTIONS } from './shared-subscription.ts';

export const MqttTlsSpec = Type.Object({
  enabled: Type.Optional(Type.Boolean({
    default: false,
    description: 'Connect over TLS (mqtts). The default port becomes 8883.',
    examples: [true],
  })),
  ca: Type.Optional(pemSpec('certificate', 'CA certificate(s) that signed the broker certificate, PEM. Empty: the system trust store.')),
  cert: Type.Optional(pemSpec('certificate', 'Client certificate (chain) for mutual TLS, PEM. Requires key.')),
  key: Type.Optional(pemSpec('private key', 'Private key of the client certificate, PEM.')),
  passphrase: Type.Optional(Type.String({
    secret: true,
    description: 'Passphrase of an encrypted private key.',
    examples: ['change-me'],
  })),
  rejectUnauthorized: Type.Optional(Type.Boolean({
    default: true,
    description: 'Verify the broker certificate against ca (or the system trust store). Turn off only for tests: without it anyone in the path can read and change the traffic.',
    examples: [true],
  })),
  servername: Type.Optional(Type.String({
    minLength: 1,
    description: 'Host name expected in the broker certificate (TLS SNI), when it differs from host.',
    examples: ['broker.example.com'],
  })),
}, { additionalProperties: false, description: 'TLS settings.' });

export const MqttConfigSpec = Type.Object({
  host: Type.String({
    minLength: 1,
    description: 'Broker host name or IP address.',
    examples: ['broker.example.com', '127.0.0.1'],
  }),
  port: Type.Optional(Type.Integer({
    minimum: 1, maximum: 65535,
    description: 'Broker port. Default 1883, or 8883 when tls.enabled.',
    examples: [1883, 8883],
  })),
  tls: Type.Optional(MqttTlsSpec),
  username: Type.Optional(Type.String({
    description: 'User name sent in CONNECT.',
    examples: ['cloudbridge'],
  })),
  password: Type.Optional(Type.String({
    secret: true,
    description: 'Password sent in CONNECT.',
    examples: ['s3cret'],
  })),
  clientId: Type.Optional(Type.String({
    minLength: 1, maxLength: 256,
    description: 'MQTT client id. Default: cloudbridge-<random> per start. A persistent session (cleanSession false) needs a fixed id, unique per integration and instance: a second client with the same id disconnects the first.',
    examples: ['cloudbridge-plant-1'],
  })),
  cleanSession: Type.Optional(Type.Boolean({
    default: false,
    description: 'false (default): persistent session; the broker keeps subscriptions and un-acknowledged messages while Cloudbridge is away and redelivers them. true: everything not yet stored is lost on a disconnect.',
    examples: [false],
  })),
  keepaliveSeconds: KeepaliveSecondsSpec,
  protocolVersion: ProtocolVersionSpec,
  topicFilters: TopicFiltersSpec,
  downlinkTopicPattern: DownlinkTopicPatternSpec,
  maxInFlight: MaxInFlightSpec,
  connections: ConnectionsSpec,
  sharedGroup: SharedGroupSpec,
  connectTimeoutMs: ConnectTimeoutMsSpec,
  reconnect: ReconnectSpec,
}, { additionalProperties: false, title: 'MQTT broker' });

export type MqttConfig = Static<typeof MqttConfigSpec>;

/** The config with every default applied. */
export interface ResolvedMqttConfig {
  host: string;
  port: number;
  tls: {
    enabled: boolean;
    ca?: string | undefined;
    cert?: string | undefined;
    key?: string | undefined;
    passphrase?: string | undefined;
    rejectUnauthorized: boolean;
    servername?: string | undefined;
  };
  username?: string | undefined;
  password?: string | undefined;
  clientId?: string | undefined;
  cleanSession: boolean;
  keepaliveSeconds: number;
  protocolVersion: 4 | 5;
  topicFilters: Array<{ filter: string; qos: 0 | 1 }>;
  downlinkTopicPattern: string;
  maxInFlight: number;
  connections: number;
  sharedGroup?: string | undefined;
  connectTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
}

export function resolveMqttConfig(config: MqttConfig): ResolvedMqttConfig {
  const tlsEnabled = config.tls?.enabled ?? false;
  return {
    host: config.host,
    port: config.port ?? (tlsEnabled ? 8883 : 1883),
    tls: {
      enabled: tlsEnabled,
      ca: config.tls?.ca || undefined,
      cert: config.tls?.cert || undefined,
      key: config.tls?.key || undefined,
      passphrase: config.tls?.passphrase || undefined,
      rejectUnauthorized: config.tls?.rejectUnauthorized ?? true,
      servername: config.tls?.servername || undefined,
    },
    username: config.username || undefined,
    password: config.password,
    clientId: config.clientId || undefined,
    cleanSession: config.cleanSession ?? false,
    keepaliveSeconds: config.keepaliveSeconds ?? MQTT_DEFAULTS.keepaliveSeconds,
    protocolVersion: config.protocolVersion ?? MQTT_DEFAULTS.protocolVersion,
    topicFilters: config.topicFilters.map((f) => ({ filter: f.filter, qos: f.qos ?? MQTT_DEFAULTS.topicFilterQos })),
    downlinkTopicPattern: config.downlinkTopicPattern ?? MQTT_DEFAULTS.downlinkTopicPattern,
    maxInFlight: config.maxInFlight ?? MQTT_DEFAULTS.maxInFlight,
    connections: config.connections ?? MQTT_CONNECTIONS.default,
    sharedGroup: config.sharedGroup,
    connectTimeoutMs: config.connectTimeoutMs ?? MQTT_DEFAULTS.connectTimeoutMs,
    reconnect: resolveReconnect(config.reconnect),
  };
}

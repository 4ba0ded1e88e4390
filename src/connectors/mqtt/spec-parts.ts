/**
 * Config spec fragments shared by the MQTT-based connectors (`mqtt`, `aws-iot-core`,
 * `ibm-watson-iot`), with their defaults as constants so code and schema cannot disagree.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MQTT_CONNECTIONS } from './shared-subscription.ts';

export const MQTT_DEFAULTS = {
  keepaliveSeconds: 60,
  protocolVersion: 4 as 4 | 5,
  maxInFlight: 1000,
  connectTimeoutMs: 10_000,
  reconnectInitialDelayMs: 1000,
  reconnectMaxDelayMs: 60_000,
  topicFilterQos: 1 as 0 | 1,
  downlinkTopicPattern: '${topic}',
} as const;

export const TopicFilterSpec = Type.Object({
  filter: Type.String({
    minLength: 1,
    description: 'MQTT topic filter to subscribe to; + matches one level, # the rest. A shared subscription ($share/<group>/<filter>) spreads messages over several clients; with connections above 1 or sharedGroup set, write the plain filter (Cloudbridge adds the prefix).',
    examples: ['devices/+/telemetry', 'sensors/#', '$share/cloudbridge/devices/+/telemetry'],
  }),
  qos: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)], {
    default: MQTT_DEFAULTS.topicFilterQos,
    description: 'Subscription QoS. 1 (default): each message is acknowledged only after it is stored, and redelivered otherwise. 0: at most once, lost on any failure.',
    examples: [1],
  })),
}, { additionalProperties: false });

export type TopicFilterConfig = Static<typeof TopicFilterSpec>;

export const TopicFiltersSpec = Type.Array(TopicFilterSpec, {
  minItems: 1,
  description: 'Topic filters to subscribe to (at least one).',
  examples: [[{ filter: 'devices/+/telemetry', qos: 1 }]],
});

export const DownlinkTopicPatternSpec = Type.Optional(Type.String({
  minLength: 1,
  default: MQTT_DEFAULTS.downlinkTopicPattern,
  description: 'Topic downlinks are published to (QoS 1). Each ${key} is replaced by the metadata the downlink converter returns; the default ${topic} means the converter returns the whole topic as metadata.topic.',
  examples: ['devices/${deviceName}/commands', '${topic}'],
}));

export const KeepaliveSecondsSpec = Type.Optional(Type.Integer({
  minimum: 0, maximum: 65535, default: MQTT_DEFAULTS.keepaliveSeconds,
  description: 'Seconds between keepalive pings; a broker that does not answer within 1.5 times this is considered gone and Cloudbridge reconnects. 0 disables keepalive.',
  examples: [60],
}));

export const ProtocolVersionSpec = Type.Optional(Type.Union([Type.Literal(4), Type.Literal(5)], {
  default: MQTT_DEFAULTS.protocolVersion,
  description: 'MQTT protocol version: 4 = MQTT 3.1.1, 5 = MQTT 5 (adds user properties to the metadata and reason codes to errors).',
  examples: [4, 5],
}));

export const MaxInFlightSpec = Type.Optional(Type.Integer({
  minimum: 1, maximum: 65535, default: MQTT_DEFAULTS.maxInFlight,
  description: 'Most messages received and not yet stored (un-acknowledged) at once, over all connections (each gets its share, and with MQTT 5 the broker is told it as Receive Maximum); when reached, Cloudbridge stops reading from the broker until some are stored.',
  examples: [1000],
}));

export const ConnectionsSpec = Type.Optional(Type.Integer({
  minimum: 1, maximum: MQTT_CONNECTIONS.max, default: MQTT_CONNECTIONS.default,
  description: `Client connections to the broker (1 to ${MQTT_CONNECTIONS.max}). Above 1, every connection subscribes to each topic filter as one broker shared subscription ($share/<sharedGroup>/<filter>): the broker hands each message to one of them and each has its own in-flight window, so the rate is no longer capped by one connection's window divided by the commit time. The broker must support shared subscriptions (most MQTT 5 brokers; Mosquitto 1.6+ and AWS IoT Core also on MQTT 3.1.1). Connection 1 uses clientId, connection i uses <clientId>-<i>; maxInFlight is shared out between them. One device's messages may then be committed out of publish order.`,
  examples: [1, 4],
}));

export const SharedGroupSpec = Type.Optional(Type.String({
  minLength: 1, maxLength: 128,
  description: 'Shared subscription group the connections join ($share/<sharedGroup>/<filter>); no "/", "+" or "#". Default with connections above 1: the client id. Setting it subscribes as a shared subscription even with one connection, e.g. to share the messages with other Cloudbridge instances that use the same group.',
  examples: ['cloudbridge-plant-1'],
}));

export const ConnectTimeoutMsSpec = Type.Optional(Type.Integer({
  minimum: 100, maximum: 300_000, default: MQTT_DEFAULTS.connectTimeoutMs,
  description: 'Milliseconds to wait for the broker to accept a connection (TCP, TLS and CONNACK) or a subscription.',
  examples: [10000],
}));

export const ReconnectSpec = Type.Optional(Type.Object({
  initialDelayMs: Type.Optional(Type.Integer({
    minimum: 10, default: MQTT_DEFAULTS.reconnectInitialDelayMs,
    description: 'Delay before the first reconnect attempt; it doubles after each failure (with random jitter).',
    examples: [1000],
  })),
  maxDelayMs: Type.Optional(Type.Integer({
    minimum: 10, default: MQTT_DEFAULTS.reconnectMaxDelayMs,
    description: 'Longest delay between reconnect attempts.',
    examples: [60000],
  })),
}, {
  additionalProperties: false,
  default: {},
  description: 'Reconnect backoff after a lost connection or a failed delivery.',
}));

/** The reconnect backoff with its defaults applied. */
export function resolveReconnect(reconnect: Static<typeof ReconnectSpec> | undefined): { initialDelayMs: number; maxDelayMs: number } {
  return {
    initialDelayMs: reconnect?.initialDelayMs ?? MQTT_DEFAULTS.reconnectInitialDelayMs,
    maxDelayMs: reconnect?.maxDelayMs ?? MQTT_DEFAULTS.reconnectMaxDelayMs,
  };
}

/** A PEM text field; private keys are secret (encrypted at rest, redacted by the API). In a config file it may be a `file:PATH` reference (src/app/config-refs.ts). */
export function pemSpec(kind: 'certificate' | 'private key', description: string): ReturnType<typeof Type.String> {
  const label = kind === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY';
  return Type.String({
    minLength: 1,
    description,
    fromFile: true,
    ...(kind === 'private key' ? { secret: true } : {}),
    examples: [`-----BEGIN ${label}-----\nMIIB...\n-----END ${label}-----\n`],
  });
}

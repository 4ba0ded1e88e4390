/**
 * Config spec of the `aws-iot-core` connector: MQTT over mutual TLS to an AWS IoT Core device
 * data endpoint, with an X.509 certificate registered in AWS IoT. The MQTT parts (topic filters,
 * downlink pattern, in-flight cap, timeouts, backoff) are the shared MQTT spec fragments.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  ConnectionsSpec, ConnectTimeoutMsSpec, DownlinkTopicPatternSpec, MaxInFlightSpec, MQTT_CONNECTIONS, MQTT_DEFAULTS, pemSpec,
  ReconnectSpec, resolveReconnect, SharedGroupSpec, TopicFilterSpec,
} from '../mqtt/index.ts';

export const AWS_IOT_DEFAULTS = {
  port: 8883,
  /** The port on which AWS IoT speaks MQTT only when the client offers ALPN `x-amzn-mqtt-ca`. */
  alpnPort: 443,
  alpnProtocol: 'x-amzn-mqtt-ca',
  protocolVersion: 5 as 4 | 5,
  persistentSession: true,
  /** AWS IoT's default persistent-session expiry (raisable to 7 days with a quota increase). */
  sessionExpirySeconds: 3600,
  keepaliveSeconds: 60,
  /** AWS IoT quotas: client id length, filters per SUBSCRIBE, slashes per topic (filter). */
  maxClientIdLength: 128,
  maxFiltersPerSubscribe: 8,
  maxTopicSlashes: 7,
} as const;

export const AwsIotCredentialsSpec = Type.Object({
  cert: pemSpec('certificate', 'The device certificate created or registered in AWS IoT (xxx-certificate.pem.crt), PEM. It must be Active and have a policy attached.'),
  key: pemSpec('private key', 'The private key of the certificate (xxx-private.pem.key), PEM.'),
  passphrase: Type.Optional(Type.String({
    secret: true,
    description: 'Passphrase of an encrypted private key.',
    examples: ['change-me'],
  })),
  ca: Type.Optional(pemSpec('certificate', 'CA certificate(s) that signed the endpoint certificate, PEM. Default: Amazon Root CA 1 and Amazon Root CA 3 from the root store built into Node.js (the CAs of the ATS endpoints); set it only for a custom domain or a test broker.')),
}, {
  additionalProperties: false,
  description: 'X.509 credentials for mutual TLS. Updating cert and key (API or config file) reconnects with the new ones; the persistent session keeps every message across the switch.',
});

export const AwsIotCoreConfigSpec = Type.Object({
  endpoint: Type.String({
    minLength: 1,
    description: 'The device data endpoint of the account and region: AWS IoT console → Settings → Device data endpoint, or `aws iot describe-endpoint --endpoint-type iot:Data-ATS`. A host that does not look like an AWS IoT endpoint gives a warning (test brokers still work).',
    examples: ['a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com'],
  }),
  port: Type.Optional(Type.Integer({
    minimum: 1, maximum: 65535, default: AWS_IOT_DEFAULTS.port,
    description: 'MQTT over TLS port: 8883 (default), or 443 where outbound 8883 is blocked (then ALPN x-amzn-mqtt-ca is offered).',
    examples: [8883, 443],
  })),
  alpn: Type.Optional(Type.Boolean({
    description: 'Offer ALPN protocol x-amzn-mqtt-ca in the TLS handshake, which AWS IoT requires for MQTT on port 443. Default: true on port 443, false otherwise.',
    examples: [true],
  })),
  clientId: Type.String({
    minLength: 1, maxLength: AWS_IOT_DEFAULTS.maxClientIdLength,
    description: 'MQTT client id, unique per running instance: AWS IoT disconnects the older of two connections with the same id (DUPLICATE_CLIENTID). The policy must allow iot:Connect on client/<clientId>; it is often the thing name. A fixed id is what lets the persistent session survive restarts.',
    examples: ['cloudbridge-plant-1'],
  }),
  credentials: AwsIotCredentialsSpec,
  topicFilters: Type.Array(TopicFilterSpec, {
    minItems: 1, maxItems: AWS_IOT_DEFAULTS.maxFiltersPerSubscribe,
    description: 'Topic filters to subscribe to (1 to 8: AWS IoT accepts at most 8 per SUBSCRIBE). The policy must allow iot:Subscribe on topicfilter/<filter> and iot:Receive on the matching topic/<topic>.',
    examples: [[{ filter: 'devices/+/telemetry', qos: 1 }]],
  }),
  downlinkTopicPattern: DownlinkTopicPatternSpec,
  protocolVersion: Type.Optional(Type.Union([Type.Literal(4), Type.Literal(5)], {
    default: AWS_IOT_DEFAULTS.protocolVersion,
    description: 'MQTT protocol version: 5 (default) = MQTT 5, whose reason codes tell exactly which operation the policy denied and which adds user properties to the metadata; 4 = MQTT 3.1.1, on which AWS IoT answers a denied operation by closing the connection.',
    examples: [5, 4],
  })),
  persistentSession: Type.Optional(Type.Boolean({
    default: AWS_IOT_DEFAULTS.persistentSession,
    description: 'true (default): AWS IoT keeps the subscriptions and queues QoS 1 messages while Cloudbridge is disconnected (for the session expiry, 1 hour by default) and redelivers what was not acknowledged. false: everything not yet stored is lost on a disconnect.',
    examples: [true],
  })),
  sessionExpirySeconds: Type.Optional(Type.Integer({
    minimum: 60, maximum: 604_800, default: AWS_IOT_DEFAULTS.sessionExpirySeconds,
    description: 'MQTT 5 with persistentSession: how long AWS IoT keeps the session after a disconnect. AWS IoT caps it at the account quota (1 hour unless raised, at most 7 days). MQTT 3.1.1 always gets the account quota.',
    examples: [3600],
  })),
  keepaliveSeconds: Type.Optional(Type.Integer({
    minimum: 30, maximum: 1200, default: AWS_IOT_DEFAULTS.keepaliveSeconds,
    description: 'Seconds between keepalive pings (AWS IoT accepts 30 to 1200); a broker silent for 1.5 times this is considered gone and Cloudbridge reconnects.',
    examples: [60],
  })),
  maxInFlight: MaxInFlightSpec,
  connections: ConnectionsSpec,
  sharedGroup: SharedGroupSpec,
  connectTimeoutMs: ConnectTimeoutMsSpec,
  reconnect: ReconnectSpec,
}, { additionalProperties: false, title: 'AWS IoT Core' });

export type AwsIotCoreConfig = Static<typeof AwsIotCoreConfigSpec>;

/** The config with every default applied. */
export interface ResolvedAwsIotConfig {
  endpoint: string;
  port: number;
  alpn: boolean;
  clientId: string;
  credentials: { cert: string; key: string; passphrase?: string | undefined; ca?: string | undefined };
  topicFilters: Array<{ filter: string; qos: 0 | 1 }>;
  downlinkTopicPattern: string;
  protocolVersion: 4 | 5;
  persistentSession: boolean;
  sessionExpirySeconds: number;
  keepaliveSeconds: number;
  maxInFlight: number;
  connections: number;
  sharedGroup?: string | undefined;
  connectTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
}

export function resolveAwsIotConfig(config: AwsIotCoreConfig): ResolvedAwsIotConfig {
  const port = config.port ?? AWS_IOT_DEFAULTS.port;
  return {
    endpoint: config.endpoint.trim(),
    port,
    alpn: config.alpn ?? port === AWS_IOT_DEFAULTS.alpnPort,
    clientId: config.clientId,
    credentials: {
      cert: config.credentials.cert,
      key: config.credentials.key,
      passphrase: config.credentials.passphrase || undefined,
      ca: config.credentials.ca || undefined,
    },
    topicFilters: config.topicFilters.map((f) => ({ filter: f.filter, qos: f.qos ?? MQTT_DEFAULTS.topicFilterQos })),
    downlinkTopicPattern: config.downlinkTopicPattern ?? MQTT_DEFAULTS.downlinkTopicPattern,
    protocolVersion: config.protocolVersion ?? AWS_IOT_DEFAULTS.protocolVersion,
    persistentSession: config.persistentSession ?? AWS_IOT_DEFAULTS.persistentSession,
    sessionExpirySeconds: config.sessionExpirySeconds ?? AWS_IOT_DEFAULTS.sessionExpirySeconds,
    keepaliveSeconds: config.keepaliveSeconds ?? AWS_IOT_DEFAULTS.keepaliveSeconds,
    maxInFlight: config.maxInFlight ?? MQTT_DEFAULTS.maxInFlight,
    connections: config.connections ?? MQTT_CONNECTIONS.default,
    sharedGroup: config.sharedGroup,
    connectTimeoutMs: config.connectTimeoutMs ?? MQTT_DEFAULTS.connectTimeoutMs,
    reconnect: resolveReconnect(config.reconnect),
  };
}

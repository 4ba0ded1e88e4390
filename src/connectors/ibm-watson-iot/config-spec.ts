/**
 * Config spec of the `ibm-watson-iot` connector: an application of a Watson IoT Platform
 * organization, connected over MQTT 3.1.1 with TLS, authenticated with an API key and its token.
 * The MQTT parts (in-flight cap, timeouts, backoff) are the shared MQTT spec fragments.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ConnectTimeoutMsSpec, KeepaliveSecondsSpec, MaxInFlightSpec, MQTT_DEFAULTS, pemSpec, ReconnectSpec, resolveReconnect } from '../mqtt/index.ts';

export const WATSON_DEFAULTS = {
  domain: 'internetofthings.ibmcloud.com',
  port: 8883,
  /** Watson IoT speaks MQTT 3.1 and 3.1.1. */
  protocolVersion: 4 as const,
  any: '+',
  qos: 1 as 0 | 1,
  deviceStatus: false,
  statusDeviceName: '${deviceId}',
} as const;

const partSpec = (what: string, example: string): ReturnType<typeof Type.String> => Type.String({
  minLength: 1,
  default: WATSON_DEFAULTS.any,
  description: `The ${what} to receive, or + (default) for any. No "/" or "#".`,
  examples: [example, '+'],
});

export const WatsonEventSubscriptionSpec = Type.Object({
  deviceType: Type.Optional(partSpec('device type', 'pump')),
  deviceId: Type.Optional(partSpec('device id', 'pump-0042')),
  eventId: Type.Optional(partSpec('event id', 'status')),
  format: Type.Optional(partSpec('payload format', 'json')),
  qos: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)], {
    default: WATSON_DEFAULTS.qos,
    description: 'Subscription QoS. 1 (default): each event is acknowledged only after it is stored, and redelivered otherwise. 0: at most once, lost on any failure.',
    examples: [1],
  })),
}, {
  additionalProperties: false,
  description: 'One event subscription: iot-2/type/<deviceType>/id/<deviceId>/evt/<eventId>/fmt/<format>.',
});

export const WatsonIotConfigSpec = Type.Object({
  orgId: Type.String({
    minLength: 1, maxLength: 32,
    description: 'The organization id (6 characters, e.g. "abc123"): the first part of the platform dashboard\'s host name, and the middle part of the API key.',
    examples: ['abc123'],
  }),
  apiKey: Type.String({
    minLength: 1,
    description: 'An application API key of the organization, of the form a-<orgId>-<suffix> (platform dashboard → Apps → API Keys → Generate API key). Its role must allow receiving device events and, for downlinks, sending commands.',
    examples: ['a-abc123-x7y8z9w0v1'],
  }),
  authToken: Type.String({
    minLength: 1, secret: true,
    description: 'The authentication token shown once when the API key was generated. It cannot be retrieved later: a lost token means a new key.',
    examples: ['MP$08VKz!8rXwnR-Q*'],
  }),
  appId: Type.String({
    minLength: 1, maxLength: 128,
    description: 'The application id in the MQTT client id a:<orgId>:<appId> (A:<orgId>:<appId> with sharedSubscription). Without sharedSubscription it must be unique: Watson IoT disconnects the older of two connections with the same client id. A fixed appId is what lets the durable session survive restarts.',
    examples: ['cloudbridge-plant-1'],
  }),
  sharedSubscription: Type.Optional(Type.Boolean({
    default: false,
    description: 'true: connect as a scalable application (client id A:<orgId>:<appId>): every instance with the same appId gets a share of the events. Watson IoT supports only non-durable subscriptions for them, so events in flight when the last instance disconnects, and events published while none is connected, are lost. false (default): a:<orgId>:<appId> with a durable session that keeps and redelivers un-acknowledged events.',
    examples: [false],
  })),
  domain: Type.Optional(Type.String({
    minLength: 1, default: WATSON_DEFAULTS.domain,
    description: 'The platform domain; the broker is <orgId>.messaging.<domain>.',
    examples: [WATSON_DEFAULTS.domain],
  })),
  host: Type.Optional(Type.String({
    minLength: 1,
    description: 'Broker host, overriding <orgId>.messaging.<domain>: for a private deployment or a test broker.',
    examples: ['watson.example.internal'],
  })),
  port: Type.Optional(Type.Integer({
    minimum: 1, maximum: 65535, default: WATSON_DEFAULTS.port,
    description: 'MQTT over TLS port (8883).',
    examples: [8883],
  })),
  ca: Type.Optional(pemSpec('certificate', 'CA certificate(s) of the broker, PEM: only for a private deployment or a test broker. Default: the root store built into Node.js.')),
  events: Type.Optional(Type.Array(WatsonEventSubscriptionSpec, {
    minItems: 1, maxItems: 16,
    default: [{}],
    description: 'Event subscriptions, each a filter on device type, device id, event id and format (+ for any). Default: one subscription to every event of every device.',
    examples: [[{ deviceType: 'pump', eventId: 'status' }]],
  })),
  deviceStatus: Type.Optional(Type.Boolean({
    default: WATSON_DEFAULTS.deviceStatus,
    description: 'Also subscribe to the device status messages (iot-2/type/<type>/id/<id>/mon, for the device types and ids of the event subscriptions) and store each as the device\'s connected attribute (true on Connect, false on Disconnect). The uplink converter does not see them.',
    examples: [true],
  })),
  statusDeviceName: Type.Optional(Type.String({
    minLength: 1, default: WATSON_DEFAULTS.statusDeviceName,
    description: 'The Cloudbridge device a status message is stored on: ${deviceId} and ${deviceType} are replaced. Make it the deviceName your uplink converter returns for that device.',
    examples: ['${deviceId}', '${deviceType}-${deviceId}'],
  })),
  keepaliveSeconds: KeepaliveSecondsSpec,
  maxInFlight: MaxInFlightSpec,
  connectTimeoutMs: ConnectTimeoutMsSpec,
  reconnect: ReconnectSpec,
}, { additionalProperties: false, title: 'IBM Watson IoT' });

export type WatsonIotConfig = Static<typeof WatsonIotConfigSpec>;

export interface EventSubscription {
  deviceType: string;
  deviceId: string;
  eventId: string;
  format: string;
  qos: 0 | 1;
}

/** The config with every default applied. */
export interface ResolvedWatsonConfig {
  orgId: string;
  apiKey: string;
  authToken: string;
  appId: string;
  sharedSubscription: boolean;
  /** a:<orgId>:<appId> or A:<orgId>:<appId>. */
  clientId: string;
  host: string;
  port: number;
  ca?: string | undefined;
  events: EventSubscription[];
  deviceStatus: boolean;
  statusDeviceName: string;
  keepaliveSeconds: number;
  maxInFlight: number;
  connectTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
}

/** The application client id: `A:` (scalable, shared) or `a:` (standard, unique). */
export function watsonClientId(orgId: string, appId: string, shared: boolean): string {
  return `${shared ? 'A' : 'a'}:${orgId}:${appId}`;
}

export function resolveWatsonConfig(config: WatsonIotConfig): ResolvedWatsonConfig {
  const orgId = config.orgId.trim();
  const shared = config.sharedSubscription ?? false;
  const domain = config.domain ?? WATSON_DEFAULTS.domain;
  return {
    orgId,
    apiKey: config.apiKey.trim(),
    authToken: config.authToken,
    appId: config.appId,
    sharedSubscription: shared,
    clientId: watsonClientId(orgId, config.appId, shared),
    host: config.host?.trim() || `${orgId}.messaging.${domain}`,
    port: config.port ?? WATSON_DEFAULTS.port,
    ca: config.ca || undefined,
    events: (config.events ?? [{}]).map((e) => ({
      deviceType: e.deviceType ?? WATSON_DEFAULTS.any,
      deviceId: e.deviceId ?? WATSON_DEFAULTS.any,
      eventId: e.eventId ?? WATSON_DEFAULTS.any,
      format: e.format ?? WATSON_DEFAULTS.any,
      qos: e.qos ?? WATSON_DEFAULTS.qos,
    })),
    deviceStatus: config.deviceStatus ?? WATSON_DEFAULTS.deviceStatus,
    statusDeviceName: config.statusDeviceName ?? WATSON_DEFAULTS.statusDeviceName,
    keepaliveSeconds: config.keepaliveSeconds ?? MQTT_DEFAULTS.keepaliveSeconds,
    maxInFlight: config.maxInFlight ?? MQTT_DEFAULTS.maxInFlight,
    connectTimeoutMs: config.connectTimeoutMs ?? MQTT_DEFAULTS.connectTimeoutMs,
    reconnect: resolveReconnect(config.reconnect),
  };
}

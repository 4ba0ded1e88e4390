/**
 * Config spec of the `thingsboard-gateway` forwarder: a ThingsBoard (or ThingsBoard Edge) gateway
 * device reached over MQTT, its defaults, and the resolved config the session and the pump use.
 */
import { Type, type Static } from '@sinclair/typebox';
import { KeepaliveSecondsSpec, pemSpec, ReconnectSpec, resolveReconnect } from '../../connectors/mqtt/index.ts';

export const TB_DEFAULTS = {
  port: 1883,
  tlsPort: 8883,
  protocolVersion: 5 as 4 | 5,
  maxInFlight: 4,
  batchMaxMessages: 500,
  batchMaxDelayMs: 50,
  maxPayloadBytes: 65_536,
  keepaliveSeconds: 60,
  connectTimeoutMs: 10_000,
  retentionMaxAgeHours: 168,
  retentionMaxRows: 5_000_000,
  rpcReply: 'on-send' as 'on-send' | 'from-device',
} as const;

export const TbTlsSpec = Type.Object({
  ca: Type.Optional(pemSpec('certificate', 'CA certificate(s) that signed the ThingsBoard MQTT server certificate, PEM. Empty: the system trust store.')),
  cert: Type.Optional(pemSpec('certificate', 'Client certificate (X.509 credentials of the gateway device), PEM. Requires key.')),
  key: Type.Optional(pemSpec('private key', 'Private key of the client certificate, PEM.')),
  rejectUnauthorized: Type.Optional(Type.Boolean({
    default: true,
    description: 'Verify the server certificate. Turn off only for tests.',
    examples: [true],
  })),
}, { additionalProperties: false, description: 'Connect over TLS (mqtts, default port 8883). Present (even empty) = TLS.' });

export const TbCredentialsSpec = Type.Union([
  Type.Object({
    type: Type.Literal('x509'),
  }, { additionalProperties: false, description: 'X.509: the gateway authenticates with tls.cert and tls.key.' }),
  Type.Object({
    type: Type.Literal('basic'),
    clientId: Type.Optional(Type.String({ minLength: 1, description: 'MQTT client id of the basic credentials.' })),
    username: Type.Optional(Type.String({ minLength: 1, description: 'MQTT user name of the basic credentials.' })),
    password: Type.Optional(Type.String({ secret: true, description: 'MQTT password of the basic credentials.' })),
  }, { additionalProperties: false, description: 'Basic MQTT credentials of the gateway device.' }),
], { description: 'Gateway device credentials other than an access token (set one or the other): {"type": "x509"} authenticates with tls.cert and tls.key (the certificate registered on the gateway device); {"type": "basic", "clientId", "username", "password"} uses the device\'s basic MQTT credentials (password secret).' });

export const ThingsboardGatewayConfigSpec = Type.Object({
  host: Type.String({ minLength: 1, description: 'ThingsBoard MQTT host name or IP address.', examples: ['thingsboard.example.com'] }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'MQTT port. Default 1883, or 8883 with tls.', examples: [1883, 8883] })),
  tls: Type.Optional(TbTlsSpec),
  accessToken: Type.Optional(Type.String({
    minLength: 1, secret: true,
    description: 'Access token of the gateway device (device credentials in ThingsBoard; the device must have "Is gateway" checked). Sent as the MQTT user name.',
    examples: ['A1_TEST_TOKEN'],
  })),
  credentials: Type.Optional(TbCredentialsSpec),
  clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'MQTT client id. Default: cloudbridge-<forwarder name>.' })),
  protocolVersion: Type.Optional(Type.Union([Type.Literal(4), Type.Literal(5)], {
    default: TB_DEFAULTS.protocolVersion,
    description: '5 = MQTT 5 (default): ThingsBoard refuses bad data with a PUBACK reason code, per publish. 4 = MQTT 3.1.1: ThingsBoard closes the connection instead, and Cloudbridge finds the refused row by re-sending in smaller groups.',
  })),
  maxInFlight: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: TB_DEFAULTS.maxInFlight, description: 'Most batches published and not yet acknowledged (PUBACK) at once.' })),
  batchMaxMessages: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: TB_DEFAULTS.batchMaxMessages, description: 'Most outbox rows (each one stored message of one device) per publish.' })),
  batchMaxDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000, default: TB_DEFAULTS.batchMaxDelayMs, description: 'How long a batch that is not full waits for more rows before it is published.' })),
  maxPayloadBytes: Type.Optional(Type.Integer({
    minimum: 1024, maximum: 268_435_455, default: TB_DEFAULTS.maxPayloadBytes,
    description: 'Largest publish payload in bytes: ThingsBoard drops bigger ones and closes the connection (transport.mqtt.netty.max_payload_size, default 65536). Batches are split to stay below it; a single row above it goes to the dead letters.',
  })),
  retention: Type.Optional(Type.Object({
    maxAgeHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: TB_DEFAULTS.retentionMaxAgeHours, description: 'Rows older than this are moved to the dead letters (code OUTBOX_RETENTION). Default 168 (7 days).' })),
    maxRows: Type.Optional(Type.Integer({ minimum: 1, default: TB_DEFAULTS.retentionMaxRows, description: 'Most rows kept; beyond it the oldest move to the dead letters. A warning is raised at 80 %.' })),
  }, { additionalProperties: false, default: {}, description: 'How much the outbox keeps while ThingsBoard is unreachable.' })),
  rpcReply: Type.Optional(Type.Union([Type.Literal('on-send'), Type.Literal('from-device')], {
    default: TB_DEFAULTS.rpcReply,
    description: 'on-send (default): a server-side RPC is answered {"success": true} once its downlink was sent, {"success": false, "error": ...} when it failed. from-device: only failures are answered by Cloudbridge; the device\'s uplink converter returns rpcReply with the answer.',
  })),
  keepaliveSeconds: KeepaliveSecondsSpec,
  connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 300_000, default: TB_DEFAULTS.connectTimeoutMs, description: 'Milliseconds to wait for ThingsBoard to accept the connection.' })),
  reconnect: ReconnectSpec,
}, { additionalProperties: false, title: 'ThingsBoard gateway' });

export type ThingsboardGatewayConfig = Static<typeof ThingsboardGatewayConfigSpec>;

export interface ResolvedTbConfig {
  host: string;
  port: number;
  tls: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined; rejectUnauthorized: boolean } | undefined;
  clientId: string;
  username: string | undefined;
  password: string | undefined;
  protocolVersion: 4 | 5;
  maxInFlight: number;
  batchMaxMessages: number;
  batchMaxDelayMs: number;
  maxPayloadBytes: number;
  retention: { maxAgeMs: number; maxRows: number };
  rpcReply: 'on-send' | 'from-device';
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
}

export function resolveTbConfig(c: ThingsboardGatewayConfig, forwarderName: string): ResolvedTbConfig {
  const basic = c.credentials?.type === 'basic' ? c.credentials : undefined;
  return {
    host: c.host,
    port: c.port ?? (c.tls ? TB_DEFAULTS.tlsPort : TB_DEFAULTS.port),
    tls: c.tls ? { ca: c.tls.ca, cert: c.tls.cert, key: c.tls.key, rejectUnauthorized: c.tls.rejectUnauthorized ?? true } : undefined,
    clientId: basic?.clientId ?? c.clientId ?? `cloudbridge-${forwarderName}`,
    username: c.accessToken ?? basic?.username,
    password: basic?.password,
    protocolVersion: c.protocolVersion ?? TB_DEFAULTS.protocolVersion,
    maxInFlight: c.maxInFlight ?? TB_DEFAULTS.maxInFlight,
    batchMaxMessages: c.batchMaxMessages ?? TB_DEFAULTS.batchMaxMessages,
    batchMaxDelayMs: c.batchMaxDelayMs ?? TB_DEFAULTS.batchMaxDelayMs,
    maxPayloadBytes: c.maxPayloadBytes ?? TB_DEFAULTS.maxPayloadBytes,
    retention: {
      maxAgeMs: (c.retention?.maxAgeHours ?? TB_DEFAULTS.retentionMaxAgeHours) * 3_600_000,
      maxRows: c.retention?.maxRows ?? TB_DEFAULTS.retentionMaxRows,
    },
    rpcReply: c.rpcReply ?? TB_DEFAULTS.rpcReply,
    keepaliveSeconds: c.keepaliveSeconds ?? TB_DEFAULTS.keepaliveSeconds,
    connectTimeoutMs: c.connectTimeoutMs ?? TB_DEFAULTS.connectTimeoutMs,
    reconnect: resolveReconnect(c.reconnect),
  };
}

/** Public types of the ThingsBoard gateway-API double (see README.md and index.ts). */
import type { TbValueType } from './telemetry-json.ts';

export type { TbValueType } from './telemetry-json.ts';

/** Credentials a device connects with, as ThingsBoard's device credentials. */
export interface DeviceSpec {
  name: string;
  /** Device profile name (default `default`). */
  type?: string;
  /** `additionalInfo.gateway = true`: only then are `v1/gateway/*` topics handled for its sessions. */
  gateway?: boolean;
  /** Access token: the MQTT user name, no password. */
  token?: string;
  /** Basic MQTT credentials; a missing clientId or username is not checked. */
  basic?: { clientId?: string; username?: string; password?: string };
}

export interface ThingsBoardDoubleOptions {
  /** Devices with credentials. Default: one gateway `Cloudbridge Gateway` with a random token. */
  devices?: DeviceSpec[];
  /** How many devices gateways may create; a publish that would create more is refused (0x97). Default unlimited. */
  maxDevices?: number;
  /** Per-device rate limit on telemetry and attribute publishes (ThingsBoard's device transport rate limit). */
  rateLimit?: { messages: number; perMs: number };
  /** Largest accepted PUBLISH payload (ThingsBoard `NETTY_MAX_PAYLOAD_SIZE`, default 65536). */
  maxPayloadBytes?: number;
  /** Numeric strings become numbers (ThingsBoard's `JSON_TYPE_CAST_ENABLED`, default true). */
  typeCastStrings?: boolean;
  /** Serve MQTT over TLS with a throw-away CA (test-pki.ts); the CA is `double.ca`. */
  tls?: boolean;
  /** Listen port (default: one the OS picks on 127.0.0.1). */
  port?: number;
}

export interface DeviceRecord {
  name: string;
  type: string;
  /** Epoch ms. */
  createdAt: number;
  gateway: boolean;
  /** The gateway that created it by auto-provisioning (absent for configured devices). */
  createdByGateway?: string;
  /** `additionalInfo.lastConnectedGateway`: the gateway that last named it. */
  lastConnectedGateway?: string;
}

export interface TelemetryPoint {
  ts: number;
  key: string;
  value: string | number | boolean | object;
  type: TbValueType;
  /** When the double received it (epoch ms) and on which session. */
  receivedAt: number;
  sessionId: number;
}

export interface AttributeEntry {
  value: string | number | boolean | object;
  type: TbValueType;
  lastUpdateTs: number;
}

export interface RefusalRecord {
  at: number;
  sessionId: number;
  topic: string;
  /** MQTT 5 reason code (also recorded for MQTT 3.1.1, where the connection was closed instead). */
  reasonCode: number;
  reason: string;
  device?: string;
  protocolVersion: number;
}

export interface RpcReply {
  device: string;
  id: number;
  /** The device's `data`, parsed; `raw` is the JSON text ThingsBoard stores. */
  data: unknown;
  raw: string;
}

export interface AttributeRequestRecord {
  id: number;
  device: string;
  client: boolean;
  keys: string[];
}

export interface ClaimRecord {
  device: string;
  secretKey: string;
  durationMs?: number;
}

export interface SessionInfo {
  id: number;
  clientId: string;
  /** The authenticated device (the gateway). */
  device: string;
  gateway: boolean;
  protocolVersion: number;
  keepaliveSeconds: number;
  clean: boolean;
  /** Sub-devices registered in this session (connect or first data, until disconnect). */
  registeredDevices: string[];
  subscriptions: Array<{ topic: string; qos: number }>;
}

export interface Counters {
  connectsAccepted: number;
  connectsRefused: number;
  publishesReceived: number;
  /** PUBACKs with reason SUCCESS (an MQTT 5 refusal's PUBACK counts in `refusals` instead). */
  pubacksSent: number;
  /** Refused publishes by reason code (PUBACK reason on MQTT 5, close on MQTT 3.1.1). */
  refusals: Record<number, number>;
  /** Publishes the double sent to clients (attribute pushes, responses, RPC, disconnect notices). */
  publishesSent: number;
}

/** Events on `double.events` (each also emitted as `change`, which `waitFor` listens to). */
export type DoubleEvent =
  | { kind: 'session-open'; session: SessionInfo }
  | { kind: 'session-close'; sessionId: number }
  | { kind: 'device-created'; device: DeviceRecord }
  | { kind: 'registration'; sessionId: number; device: string; registered: boolean }
  | { kind: 'telemetry'; device: string; points: TelemetryPoint[] }
  | { kind: 'attributes'; device: string; keys: string[] }
  | { kind: 'refusal'; refusal: RefusalRecord }
  | { kind: 'rpc-reply'; reply: RpcReply }
  | { kind: 'attribute-request'; request: AttributeRequestRecord }
  | { kind: 'claim'; devices: string[] }
  | { kind: 'puback'; sessionId: number; messageId: number }
  | { kind: 'publish-received'; sessionId: number; topic: string };

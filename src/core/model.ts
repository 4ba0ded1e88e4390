/**
 * Domain model shared by every layer (ThingsBoard terms). Plain data only.
 */
import type { CredentialStatus } from './credential-expiry.ts';
import type { RetentionSettings } from './retention.ts';

export type ContentType = 'JSON' | 'TEXT' | 'BINARY';

/** One raw message as a connector received it. */
export interface UplinkMessage {
  /** The raw bytes, exactly as received. */
  payload: Uint8Array;
  /** Source metadata handed to the converter (string values, ThingsBoard style). */
  metadata: Record<string, string>;
  /**
   * Stable identity of the message at its source (SQS MessageId, `shard/sequence`,
   * `partition/sequence`, MQTT content hash ...). Drives deduplication: a message whose
   * sourceKey was committed before is acknowledged without being stored again.
   */
  sourceKey: string;
  /** Epoch ms when the connector received it (taken on arrival, before any queueing). */
  receivedAt: number;
  /**
   * Epoch ms the source itself gives the message, where the cloud provides one (SQS
   * `SentTimestamp`; Kinesis arrival time, Event Hubs enqueued time, Pub/Sub publish time).
   * Telemetry the converter returns without `ts` gets this time, else `receivedAt`.
   */
  sourceTimestamp?: number;
  /** Hint for debug display only; converters always get bytes. */
  contentType?: ContentType;
  /**
   * How `sourceKey` deduplicates. `check` (default): a sourceKey committed before makes this
   * message a duplicate. `record-only`: the key is recorded but never makes this message a
   * duplicate: for sources without message ids (MQTT), where sourceKey is a content hash and only
   * redeliveries (`check`) may be dropped, never a legitimately repeated payload.
   */
  dedupe?: DedupeMode;
  /**
   * Results the connector derived itself, for messages whose meaning the source defines rather than
   * the device (Watson IoT's device status notices become a `connected` attribute). The uplink
   * converter is not run for such a message; its records are committed like a converter's, in the
   * same transaction, with the same dedupe and acknowledgement.
   */
  records?: EntityRecord[];
}

/**
 * `none`: no dedupe key is recorded or checked, for messages of a partitioned source whose position
 * is committed in the same transaction (a checkpoint): a redelivery cannot happen below it.
 */
export type DedupeMode = 'check' | 'record-only' | 'none';

/** A typed telemetry or attribute value (ThingsBoard's kv types). */
export type KvValue =
  | { type: 'bool'; value: boolean }
  | { type: 'long'; value: number }
  | { type: 'double'; value: number }
  | { type: 'string'; value: string }
  | { type: 'json'; value: unknown };

export type KvType = KvValue['type'];

export interface TelemetryPoint {
  ts: number;
  key: string;
  value: KvValue;
  /**
   * The converter gave no `ts`: `ts` is the message's time (its source timestamp, else its receive
   * time). The store never lets such a point replace another message's point: it moves it to the
   * next free millisecond of its entity and key instead.
   */
  implicitTs?: true;
}

export type EntityKind = 'DEVICE' | 'ASSET';

/** One validated converter result: an entity and the data for it. */
export interface EntityRecord {
  kind: EntityKind;
  name: string;
  /** Device/asset type (profile name); `default` when the converter gives none. */
  type: string;
  label?: string;
  customerName?: string;
  groupName?: string;
  /** Client-scope attributes reported by the uplink. */
  attributes: Array<{ key: string; value: KvValue }>;
  telemetry: TelemetryPoint[];
  /**
   * The device's replies to server-side RPCs (converter result field `rpcReply`): each goes to the
   * forwarders of the integration (ThingsBoard: `v1/gateway/rpc` with the RPC's id). Devices only.
   */
  rpcReplies?: Array<{ id: number; data: unknown }>;
  /**
   * Attribute requests (converter result field `attributeRequest`): each goes to the forwarders
   * (ThingsBoard: `v1/gateway/attributes/request`); the answer comes back as an
   * `ATTRIBUTES_RESPONSE` downlink. `client` true asks for client-scope keys, false for shared.
   */
  attributeRequests?: Array<{ id: number; client: boolean; keys: string[] }>;
}

export type AttributeScope = 'client' | 'shared' | 'server';

/** Where a message failed on its way in. */
/** `forward`: a forwarder's peer refused the data (e.g. ThingsBoard's PUBACK reason code); replay re-queues it. */
export type DeadLetterStage = 'convert' | 'validate' | 'provision' | 'quarantine' | 'forward';

export interface DeadLetterInput {
  stage: DeadLetterStage;
  errorCode: string;
  error: string;
}

export type LifecycleEvent = 'STARTED' | 'UPDATED' | 'STOPPED' | 'FAILED';

/**
 * `FAILED`: the start failed for a reason that may pass (network, broker down), retried with
 * backoff. `MISCONFIGURED`: it failed for a reason only a change can fix (credentials, permissions,
 * a missing queue, an invalid config, TLS: a non-retryable error code), retried slowly (something
 * may be fixed outside Cloudbridge, e.g. a certificate activated), and at once after a config
 * change or an explicit restart.
 */
export type IntegrationState = 'STOPPED' | 'STARTING' | 'RUNNING' | 'RECONNECTING' | 'PAUSED' | 'FAILED' | 'MISCONFIGURED';

export interface IntegrationCounters {
  received: number;
  stored: number;
  deadLettered: number;
  duplicates: number;
  /**
   * Stored telemetry points replaced by a different value from another message (same entity, key
   * and explicit ts). Redeliveries are `duplicates`, not overwrites.
   */
  overwritten: number;
  errors: number;
}

export interface IntegrationStatus {
  state: IntegrationState;
  since: number;
  /**
   * The last error with the catalogue's `fix` for its code: `at` when it last occurred,
   * `resolvedAt` when its cause went away (a commit succeeded again for STORE_UNAVAILABLE, the
   * connection came back for the others), else null.
   */
  lastError: { code: string; message: string; fix: string | null; at: number; resolvedAt: number | null } | null;
  /** FAILED or MISCONFIGURED: epoch ms of the next start attempt. */
  nextStartAt?: number;
  counters: IntegrationCounters;
  lastMessageAt: number | null;
  inFlight: { messages: number; bytes: number };
  /** Connector-specific details (no secrets), e.g. subscribed topics, queue redrive policy. */
  details?: Record<string, unknown>;
  /** Credentials whose expiry is known (certificates, shared access signatures…), with their state. */
  credentials?: CredentialStatus[];
}

export interface DebugSettings {
  /** Record a debug event for every failure. */
  failures: boolean;
  /** Record every message until this epoch ms (0 = off). */
  allUntil: number;
}

export interface ConverterLimits {
  timeoutMs: number;
  memoryMb: number;
}

export type ConverterType = 'uplink' | 'downlink';
export type ConverterLanguage = 'javascript' | 'jsonata';

export interface ConverterConfig {
  id: string;
  name: string;
  type: ConverterType;
  language: ConverterLanguage;
  script: string;
  limits?: Partial<ConverterLimits>;
  createdAt: number;
  updatedAt: number;
}

export interface IntegrationConfig {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  uplinkConverterId: string;
  downlinkConverterId: string | null;
  allowCreateDevices: boolean;
  debug: DebugSettings;
  /** Key/values added to every uplink's metadata (ThingsBoard `configuration.metadata`). */
  metadata: Record<string, string>;
  /** Connector-specific config, validated against the connector's spec. */
  config: Record<string, unknown>;
  /** Retention of the integration's rows, per kind; a kind left out keeps the global setting. */
  retention?: RetentionSettings;
  createdAt: number;
  updatedAt: number;
}

/** A downlink command as requested (API, ThingsBoard RPC, shared attribute update). */
export interface DownlinkRequest {
  deviceName: string;
  msgType: string;
  msg: unknown;
  metadata: Record<string, string>;
}

/** One payload produced by a downlink encoder, ready for a connector to send. */
export interface EncodedDownlink {
  contentType: ContentType;
  data: Uint8Array;
  metadata: Record<string, string>;
  /**
   * The stored downlink this payload belongs to (absent for a payload sent outside the queue):
   * the id a connector reports its final outcome for (`ConnectorContext.downlinkOutcome`, ADR 015).
   */
  downlinkId?: string;
  /** The request's message type (`RPC_CALL_FROM_SERVER_TO_DEVICE`, `ATTRIBUTES_UPDATED`, ...). */
  msgType?: string;
  /** The device the request was made for (whatever metadata the encoder returned). */
  deviceName?: string;
}

/** Whether the connector handed the downlink to its cloud: `sent` is not yet `delivered` (see DownlinkOutcome). */
export type DownlinkStatus = 'queued' | 'sent' | 'failed';

/**
 * What finally became of a sent downlink, when the cloud tells (IoT Hub feedback): `delivered` to
 * the device, `expired` before the device took it, `rejected` by the device, `purged` from the
 * device's queue, or dead-lettered after too many deliveries (`deliveryCountExceeded`). ADR 015.
 */
export type DownlinkOutcome = 'delivered' | 'expired' | 'rejected' | 'purged' | 'deliveryCountExceeded';

export const DOWNLINK_OUTCOMES: readonly DownlinkOutcome[] = ['delivered', 'expired', 'rejected', 'purged', 'deliveryCountExceeded'];

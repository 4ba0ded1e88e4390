/**
 * The forwarder contract: what a forwarder plugin provides and what core gives it (ADR 018).
 * A forwarder carries committed data on to another platform (ThingsBoard through its gateway
 * MQTT API): it reads its outbox in order, sends, and deletes rows only once its peer
 * acknowledged them; what its peer sends back (RPCs, attribute updates) becomes downlinks.
 * No SDK imports here: a plugin loads its client library lazily, as the connectors do.
 */
import type { TSchema, Static } from '@sinclair/typebox';
import type { Clock } from './clock.ts';
import type { CheckResult } from './connector.ts';
import type { Logger } from './logger.ts';
import type { WarningCode } from './warnings.ts';

/** What core needs of an outbox row: its position. The store's `OutboxRow` (src/store/types.ts) is the real one. */
export interface OutboxPosition {
  seq: number;
}

/** The forwarder's outbox, bound to its name (see `OutboxStore` in src/store/types.ts). */
export interface BoundOutbox<Row extends OutboxPosition = OutboxPosition> {
  /** Rows with seq > afterSeq, ascending, at most `limit`. */
  read(afterSeq: number, limit: number): Promise<Row[]>;
  /** Deletes delivered rows. */
  delete(seqs: number[]): Promise<void>;
  /** Moves a refused row to the dead letters (stage `forward`) with the code and the reason. */
  reject(seq: number, errorCode: string, error: string): Promise<string | null>;
  stats(): Promise<{ depth: number; oldestAt: number | null }>;
  /** Retention: moves rows older than `olderThan`, and the oldest beyond `maxRows`, to the dead letters. */
  expire(opts: { olderThan: number; maxRows: number }): Promise<number>;
}

/** A downlink a forwarder's peer asked for (ThingsBoard: a server-side RPC, a shared-attribute update). */
export interface ForwarderDownlink {
  msgType: string;
  msg: unknown;
  metadata: Record<string, string>;
}

export interface ForwarderContext<Row extends OutboxPosition = OutboxPosition> {
  /** The forwarder's name (unique, from the config). */
  name: string;
  outbox: BoundOutbox<Row>;
  /** The devices of the integrations it forwards (name and type), to register when a session starts. */
  devices(): Promise<Array<{ name: string; type: string }>>;
  /**
   * Queues a downlink to the device through the integration that owns it (DownlinkService):
   * resolves once it is durably queued, rejects with a CloudbridgeError when it cannot be
   * (unknown device, no downlink converter).
   */
  downlink(deviceName: string, request: ForwarderDownlink): Promise<void>;
  /** Appends an RPC reply to the outbox (an RPC that could not even be queued as a downlink). */
  appendReply(deviceName: string, id: number, data: unknown): Promise<void>;
  warn(code: WarningCode, message: string, details?: Record<string, unknown>): void;
  log: Logger;
  clock: Clock;
}

export type ForwarderState = 'connecting' | 'connected' | 'disconnected' | 'standby' | 'failed' | 'misconfigured' | 'stopped';

export interface ForwarderCounters {
  /** Telemetry points accepted by the peer (PUBACK). */
  deliveredPoints: number;
  /** Outbox rows deleted after their peer acknowledged them. */
  deliveredRows: number;
  /** Rows the peer refused, moved to the dead letters. */
  rejected: number;
  rpcReceived: number;
  attributeUpdates: number;
}

export interface ForwarderStatus {
  state: ForwarderState;
  /** Epoch ms of the last state change. */
  since: number;
  lastError: { code: string; message: string; fix: string | null } | null;
  outbox: { depth: number; oldestAt: number | null; lagMs: number | null };
  counters: ForwarderCounters;
  /** Plugin-specific details (no secrets). */
  details?: Record<string, unknown>;
}

export interface Forwarder {
  /** Connects and starts sending; resolves once the first attempt settled (connected or failed). */
  start(): Promise<void>;
  /** Stops sending (nothing more is published) and disconnects. */
  stop(): Promise<void>;
  status(): ForwarderStatus;
  /** New outbox rows were committed here: send them without waiting for the next poll. */
  nudge(): void;
}

/** What became of a downlink a forwarder queued for its peer (an RPC). */
export interface DownlinkSettlement {
  sent: boolean;
  /** `CODE: message` when it failed. */
  error?: string;
}

export interface ForwarderDefinition<S extends TSchema = TSchema, Row extends OutboxPosition = OutboxPosition> {
  /** `thingsboard-gateway`: folder name, API value, docs page. */
  type: string;
  title: string;
  description: string;
  /** Fields with `secret: true` are encrypted at rest and redacted, as for connectors. */
  configSpec: S;
  /** Cross-field rules; returns warnings, throws CONFIG_INVALID naming the field. */
  validate?(config: Static<S>): string[];
  create(config: Static<S>, ctx: ForwarderContext<Row>): Forwarder;
  /** How to renew the credential in a config field (e.g. `tls.cert`) before it expires (CREDENTIAL_EXPIRY; undefined: the generic advice). */
  renewAdvice?(credential: string): string | undefined;
  /** Checks credentials and reachability without sending data; `name` is the forwarder's. */
  testConnection?(config: Static<S>, name: string): Promise<CheckResult>;
  /**
   * The reply to send to the peer for a settled RPC downlink (ThingsBoard: `{success: true}`),
   * or null when the device replies itself. Called on whichever instance settled the downlink.
   */
  rpcReply?(config: Static<S>, outcome: DownlinkSettlement): unknown;
  pitfalls?: Array<{ symptom: string; fix: string }>;
  guide?: string;
}

export function emptyCounters(): ForwarderCounters {
  return { deliveredPoints: 0, deliveredRows: 0, rejected: 0, rpcReceived: 0, attributeUpdates: 0 };
}

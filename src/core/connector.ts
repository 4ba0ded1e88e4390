/**
 * The connector contract: what a cloud connector plugin provides and what core gives it.
 * A connector never stores anything itself: it hands batches to `deliver()` and acknowledges
 * to its cloud only when `deliver()` resolves.
 */
import type { TSchema, Static } from '@sinclair/typebox';
import type { Clock } from './clock.ts';
import { toCloudbridgeError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { DeadLetterInput, DownlinkOutcome, EncodedDownlink, UplinkMessage } from './model.ts';
import type { DeliveryCheckpoint, LeaseStore } from './partitions.ts';
import type { WarningCode } from './warnings.ts';

/** How a connector's source redelivers what was not acknowledged (documented per connector). */
export type RedeliveryModel =
  | 'mqtt-session'      // broker redelivers un-PUBACKed QoS 1 messages of a persistent session
  | 'visibility-timeout' // SQS
  | 'ack-deadline'       // Pub/Sub
  | 'checkpoint'         // Kinesis, Event Hubs: resume after the last checkpoint
  | 'peek-lock';         // Service Bus

export interface ConnectorCapabilities {
  downlink: boolean;
  redelivery: RedeliveryModel;
}

export interface DeliveryReport {
  stored: number;
  deadLettered: number;
  duplicates: number;
  /**
   * Which messages of the delivery were dead-lettered in Cloudbridge and why (absent when none),
   * for a source that settles them differently at its cloud (Service Bus can dead-letter them there).
   */
  deadLetters?: DeadLetteredMessage[];
}

/** A message of a delivery that was dead-lettered: its index in the batch given to `deliver`, the stage and the error. */
export interface DeadLetteredMessage extends DeadLetterInput {
  index: number;
}

/** What a delivery carries beyond its messages. */
export interface DeliveryOptions {
  /**
   * A partitioned source's position after the delivery's last message: committed in the same
   * transaction as the delivery's data (with every earlier delivery of the partition committed
   * before it). A delivery with a checkpoint is never split across commits.
   */
  checkpoint?: DeliveryCheckpoint;
}

export interface ConnectorContext {
  /** The integration this connector runs for. */
  integrationId: string;
  integrationName: string;
  /**
   * Hands a batch to the pipeline. Resolves once every message is durably settled (its results
   * or its dead letter committed): only then may the connector acknowledge. Rejects (no ack)
   * with a DeliveryRejectedError when the batch was not committed (store unavailable, converters
   * unable to run, lease lost, stopping); the source must redeliver it, no sooner than its
   * `retryAfterMs`. Deliveries settle in order: when one is rejected, every later delivery of
   * the integration not committed yet is rejected too, and so is every delivery offered during
   * the pause that follows, so nothing after a rejected message commits before it is redelivered.
   * May wait before accepting the batch when in-flight limits are reached (backpressure); `signal`
   * abandons that wait (the delivery then rejects with the signal's reason).
   */
  deliver(batch: UplinkMessage[], signal?: AbortSignal, options?: DeliveryOptions): Promise<DeliveryReport>;
  /** Report connection state changes so status and events reflect them. */
  reportState(state: 'connecting' | 'connected' | 'disconnected', error?: unknown): void;
  /** Warnings to surface as integration events (e.g. certificate expiring soon); codes of the warning catalogue only. */
  warn(code: WarningCode, message: string, details?: Record<string, unknown>): void;
  /**
   * The partition leases and checkpoints of this integration (partitioned sources: Kinesis, Event
   * Hubs). Shared by every instance on the same store; see src/core/partitions.ts and ADR 008.
   */
  leases: LeaseStore;
  /**
   * Records what finally became of a downlink this connector sent (`EncodedDownlink.downlinkId`),
   * when its cloud reports it later (IoT Hub feedback): stored with the downlink, shown by the
   * downlinks API, and recorded as a DEBUG_DOWNLINK event. The first outcome of a downlink stays;
   * resolves false for a repeat. Rejects when the store cannot record it (the connector may leave
   * the cloud's report unacknowledged and take it again). ADR 015.
   */
  downlinkOutcome(downlinkId: string, outcome: DownlinkOutcome, detail?: string): Promise<boolean>;
  log: Logger;
  clock: Clock;
  /** Aborted when the integration stops. */
  signal: AbortSignal;
}

export interface ConnectorStatusDetails {
  /** Connector-specific status (no secrets), merged into the integration status. */
  [key: string]: unknown;
}

export interface CheckResult {
  ok: boolean;
  /** One line per check performed, e.g. "connected to broker", "subscribed to 2 filters". */
  checks: Array<{ name: string; ok: boolean; message: string }>;
  error?: { code: string; message: string };
}

export interface Connector {
  /** Connects and starts intake. Rejects with a CloudbridgeError when the first connection fails. */
  start(): Promise<void>;
  /** Stops intake, waits up to drainMs for in-flight deliveries to settle, then disconnects. */
  stop(opts?: { drainMs?: number }): Promise<void>;
  /** Connector-specific status details. */
  status(): ConnectorStatusDetails;
  /** Sends one encoded downlink. Rejects with a CloudbridgeError when it was not accepted. */
  sendDownlink?(msg: EncodedDownlink, signal: AbortSignal): Promise<void>;
  /**
   * Operations the connector offers beyond intake and downlink (IoT Hub: read a device twin's
   * reported properties now), run through `POST /api/v1/integrations/:id/actions/:name` with the
   * JSON body as `input`; the result is returned to the caller as JSON. Reject with a
   * CloudbridgeError (CONFIG_INVALID naming the input field for bad input). ADR 015.
   */
  actions?: Record<string, ConnectorAction>;
}

export interface ConnectorAction {
  description: string;
  run(input: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
}

export interface ConnectorDefinition<S extends TSchema = TSchema> {
  /** `mqtt`, `aws-iot-core`, ...: folder name, API value, docs page, CLI argument. */
  type: string;
  title: string;
  description: string;
  /** JSON Schema of the connector config (TypeBox). Fields with `secret: true` are encrypted and redacted. */
  configSpec: S;
  capabilities: ConnectorCapabilities;
  /** Extra validation beyond the schema (cross-field rules, PEM parsing...). Returns warnings; throws CONFIG_INVALID. */
  validate?(config: Static<S>): Promise<string[]> | string[];
  create(config: Static<S>, ctx: ConnectorContext): Connector;
  /** Checks credentials and reachability without consuming. */
  testConnection(config: Static<S>, signal: AbortSignal): Promise<CheckResult>;
  /**
   * How to renew the credential in a config field (e.g. `credentials.cert`) when it nears its
   * expiry, for the CREDENTIAL_EXPIRY warning (undefined: the generic advice).
   */
  renewAdvice?(credential: string): string | undefined;
  /** Pitfalls section of the generated docs: error → fix. */
  pitfalls?: Array<{ symptom: string; fix: string }>;
  /** More sections of the generated docs page (Markdown, `## ` headings): how it works, guarantees, comparisons. */
  guide?: string;
}

/** What `testConnection` returns when the config is refused before anything is tried. */
export function configCheckFailure(err: unknown): CheckResult {
  const error = toCloudbridgeError(err, 'CONFIG_INVALID');
  return { ok: false, checks: [{ name: 'config', ok: false, message: error.message }], error: { code: error.code, message: error.message } };
}

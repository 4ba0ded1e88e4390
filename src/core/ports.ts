/**
 * Ports the ingest pipeline needs from the outer layers. The store implements `commitUplinks`
 * (src/store/types.ts re-exports these shapes); the converter runtime implements `ConvertPort`.
 */
import type { CloudbridgeError } from './errors.ts';
import type { CommitCheckpoint } from './partitions.ts';
import type { DeadLetterInput, DedupeMode, EntityRecord, UplinkMessage } from './model.ts';

/** One message's conversion result. */
export type UplinkConversion =
  /** `raw` is the script's own output (for debug events and the test endpoint). */
  | { ok: true; records: EntityRecord[]; raw: unknown }
  | { ok: false; stage: 'convert' | 'validate' | 'quarantine'; error: CloudbridgeError; raw?: unknown };

/** Converts a batch; exactly one result per message, same order. */
export type ConvertPort = (messages: UplinkMessage[]) => Promise<UplinkConversion[]>;

/** One source message's outcome, ready to commit. */
export type MessageOutcome =
  | { kind: 'records'; records: EntityRecord[] }
  | { kind: 'dead-letter'; deadLetter: DeadLetterInput };

export interface UplinkCommitItem {
  sourceKey: string;
  /** Default `check`; see UplinkMessage.dedupe. */
  dedupe?: DedupeMode;
  payload: Uint8Array;
  metadata: Record<string, string>;
  receivedAt: number;
  outcome: MessageOutcome;
}

export interface DebugEventInput {
  /**
   * Index in `UplinkCommit.items` of the message this event describes (not stored): the store adds
   * that item's `overwritten` count to the body when it is above zero.
   */
  forItem?: number;
  integrationId?: string | null;
  converterId?: string | null;
  type: 'LIFECYCLE' | 'DEBUG_UPLINK' | 'DEBUG_DOWNLINK' | 'DEBUG_CONVERTER' | 'ERROR' | 'WARNING' | 'STATS';
  ts: number;
  body: Record<string, unknown>;
}

export interface UplinkCommit {
  integrationId: string;
  allowCreateDevices: boolean;
  items: UplinkCommitItem[];
  /** Debug events written in the same transaction. */
  events?: DebugEventInput[];
  /**
   * Partition checkpoints written in the same transaction, at most one per partition (the last
   * position the commit covers). A checkpoint whose lease is no longer current rolls the whole
   * commit back with LEASE_LOST (src/core/partitions.ts).
   */
  checkpoints?: CommitCheckpoint[];
  /**
   * Forwarders (by name) that carry this integration's data on (ADR 017): for each, the store
   * writes outbox rows in the same transaction for every record it stores (telemetry with the ts
   * it was stored at, attributes, RPC replies, attribute requests). Absent or empty: none.
   */
  forward?: string[];
}

export type UplinkItemResult =
  /**
   * `overwritten` (only when above zero): stored points of other messages this item replaced with a
   * different value (same entity, key and explicit ts).
   */
  | { status: 'stored'; createdEntities: string[]; overwritten?: number }
  | { status: 'duplicate' }
  | { status: 'dead-lettered'; deadLetterId: string };

export interface UplinkCommitResult {
  /** Same order as `UplinkCommit.items`. */
  results: UplinkItemResult[];
}

export type CommitPort = (commit: UplinkCommit) => Promise<UplinkCommitResult>;

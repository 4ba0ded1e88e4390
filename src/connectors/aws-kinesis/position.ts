/**
 * Shard positions as checkpoints store them (the lease's `checkpoint`, written with the data):
 *
 *   `<sequenceNumber>`          every user record of that Kinesis record (and all before) is committed
 *   `<sequenceNumber>/<sub>`    committed up to user record `sub` of a KPL aggregate (more may follow)
 *   `SHARD_END`                 the closed shard was read to its end: its children may be read
 *
 * and where reading resumes from each: AFTER_SEQUENCE_NUMBER, or AT_SEQUENCE_NUMBER skipping the
 * user records already committed (what the KCL calls an extended sequence number).
 */
import type { InitialPosition } from './config-spec.ts';
import type { IteratorStart } from './kinesis-api.ts';

export const SHARD_END = 'SHARD_END';

export interface RecordPosition {
  sequenceNumber: string;
  /** Set when only part of a KPL aggregate is committed: its user records up to this one. */
  subSequenceNumber?: number | undefined;
}

export function formatPosition(p: RecordPosition): string {
  return p.subSequenceNumber === undefined ? p.sequenceNumber : `${p.sequenceNumber}/${p.subSequenceNumber}`;
}

/** Null for SHARD_END and for text that is no position (never written by this connector). */
export function parsePosition(text: string): RecordPosition | null {
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  if (!m?.[1]) return null;
  return m[2] === undefined ? { sequenceNumber: m[1] } : { sequenceNumber: m[1], subSequenceNumber: Number(m[2]) };
}

export interface ResumePoint {
  start: IteratorStart;
  /** User records of this Kinesis record up to `throughSub` are committed: skip them. */
  skip?: { sequenceNumber: string; throughSub: number } | undefined;
}

export function initialStart(position: InitialPosition, timestampMs: number | undefined): IteratorStart {
  if (position === 'AT_TIMESTAMP' && timestampMs !== undefined) return { type: 'AT_TIMESTAMP', timestampMs };
  if (position === 'TRIM_HORIZON') return { type: 'TRIM_HORIZON' };
  return { type: 'LATEST' };
}

/** Where to read from after `checkpoint` (null: none; `fallback` applies). */
export function resumeFrom(checkpoint: string | null, fallback: IteratorStart): ResumePoint {
  const p = checkpoint === null ? null : parsePosition(checkpoint);
  if (!p) return { start: fallback };
  if (p.subSequenceNumber === undefined) return { start: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: p.sequenceNumber } };
  return {
    start: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: p.sequenceNumber },
    skip: { sequenceNumber: p.sequenceNumber, throughSub: p.subSequenceNumber },
  };
}

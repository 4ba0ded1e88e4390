/** The options, limits and stats of an integration's ingest pipeline (./pipeline.ts). */
import type { Clock } from './clock.ts';
import type { CloudbridgeError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { IntegrationCounters, UplinkMessage } from './model.ts';
import type { DebugPolicy } from './batch-commit.ts';
import type { CommitPort, ConvertPort } from './ports.ts';

export interface PipelineLimits {
  /** Max messages accepted but not yet settled. */
  maxInFlightMessages: number;
  /** Max payload bytes accepted but not yet settled. */
  maxInFlightBytes: number;
  /** Max messages per store transaction. */
  maxBatchMessages: number;
  /** Max time the first message of a batch waits for more before the batch runs. */
  maxBatchDelayMs: number;
}

export const DEFAULT_PIPELINE_LIMITS: PipelineLimits = {
  maxInFlightMessages: 10_000,
  maxInFlightBytes: 64 * 1024 * 1024,
  maxBatchMessages: 1000,
  maxBatchDelayMs: 0,
};

export interface PipelineStats extends IntegrationCounters {
  batches: number;
  inFlightMessages: number;
  inFlightBytes: number;
  lastMessageAt: number | null;
  paused: boolean;
}

export interface PipelineOptions {
  integrationId: string;
  convert: ConvertPort;
  commit: CommitPort;
  /** Read at every batch, so an update takes effect without a restart. */
  allowCreateDevices: () => boolean;
  /**
   * The forwarders that carry this integration's data on (UplinkCommit.forward, ADR 017); read at
   * every batch, so a change of forwarders applies without restarting the integration. Default none.
   */
  forward?: () => string[];
  debug?: DebugPolicy;
  limits?: Partial<PipelineLimits>;
  retry?: { initialDelayMs: number; maxDelayMs: number };
  clock?: Clock;
  log?: Logger;
  /** Called after a batch committed, with its messages (latency metrics, benchmarks). */
  onCommitted?: (messages: UplinkMessage[], committedAt: number) => void;
  /** Called when a store failure pauses intake, and when intake resumes. */
  onPause?: (paused: boolean, error?: CloudbridgeError) => void;
}

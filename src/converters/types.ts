/**
 * Converter runtime contract. User scripts (ThingsBoard `Decoder`/`Encoder` bodies, or JSONata
 * expressions) are compiled once and then called with batches.
 */
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { ConverterLanguage, ConverterLimits, EncodedDownlink, EntityRecord } from '../core/model.ts';

/** `timeoutMs` bounds one call into the sandbox (a batch, or one message when a batch is re-run). */
export const DEFAULT_CONVERTER_LIMITS: ConverterLimits = { timeoutMs: 1000, memoryMb: 64 };

/** Accepted range of each limit (config validation). */
export const CONVERTER_LIMIT_BOUNDS = {
  timeoutMs: { min: 1, max: 60_000 },
  memoryMb: { min: 8, max: 2048 },
} as const;

/** Quarantine defaults: after this many consecutive failing messages, fail fast for this long. */
export const DEFAULT_QUARANTINE = { maxConsecutiveFailures: 50, quarantineMs: 60_000 } as const;

/** Bounds on what one message's converter output may contain. */
export const CONVERTER_OUTPUT_LIMITS = {
  maxRecordsPerMessage: 10_000,
  maxValuesPerMessage: 100_000,
  maxKeyLength: 255,
  maxNameLength: 255,
  /** Characters of the result's JSON text, per message. */
  maxOutputChars: 16 * 1024 * 1024,
} as const;

/** Default of `ingest.maxFutureTsMs`: a point's own `ts` may be at most this far ahead of now (1 day). */
export const DEFAULT_MAX_FUTURE_TS_MS = 86_400_000;

/** Which sandbox runs JavaScript and JSONata: V8 isolates, or the WASM QuickJS fallback. */
export type SandboxKind = 'isolated-vm' | 'quickjs';

export interface ConverterRunnerOptions {
  /** Force a sandbox; default: `CLOUDBRIDGE_SANDBOX`, else isolated-vm when it loads, else quickjs. */
  sandbox?: SandboxKind;
  /** Consecutive failing messages before quarantine; 0 disables quarantine. Default 50. */
  maxConsecutiveFailures?: number;
  /** How long a quarantine lasts. Default 60000. */
  quarantineMs?: number;
  clock?: Clock;
  log?: Logger;
  /** A point's own `ts` may be at most this far ahead of now. Default DEFAULT_MAX_FUTURE_TS_MS. */
  maxFutureTsMs?: number;
}

export interface QuarantineState {
  consecutiveFailures: number;
  /** Epoch ms when the current quarantine ends; null when not quarantined. */
  quarantinedUntil: number | null;
  /** The error that started the current quarantine. */
  reason: string | null;
}

export interface UplinkInput {
  payload: Uint8Array;
  metadata: Record<string, string>;
  /** Epoch ms; the timestamp of telemetry the converter returns without `ts`, unless `sourceTimestamp` is given. */
  receivedAt: number;
  /** Epoch ms the source gives the message (UplinkMessage.sourceTimestamp); preferred over `receivedAt`. */
  sourceTimestamp?: number;
}

/** The timestamp of the telemetry a converter returns without `ts` for this input. */
export function messageTimestamp(input: Pick<UplinkInput, 'receivedAt' | 'sourceTimestamp'>): number {
  return input.sourceTimestamp ?? input.receivedAt;
}

export type { UplinkConversion } from '../core/ports.ts';
import type { UplinkConversion } from '../core/ports.ts';

export interface UplinkConverterRunner {
  /**
   * Converts a batch: exactly one result per input, same order. A failing message never fails
   * its neighbours; this method rejects only when the runtime itself is broken.
   */
  convert(inputs: UplinkInput[]): Promise<UplinkConversion[]>;
  dispose(): void;
  /** Present when the runner is guarded by quarantine. */
  quarantine?(): QuarantineState;
}

export interface DownlinkInput {
  msg: unknown;
  metadata: Record<string, string>;
  msgType: string;
  integrationMetadata: Record<string, string>;
  /** The stored downlink being sent (the runtime passes it on with each payload; not given to the encoder). */
  downlinkId?: string;
}

export interface DownlinkConversion {
  encoded: EncodedDownlink[];
  raw: unknown;
}

export interface DownlinkConverterRunner {
  /** Rejects with a CloudbridgeError (CONVERTER_*) when the encoder fails or its output is invalid. */
  encode(input: DownlinkInput): Promise<DownlinkConversion>;
  dispose(): void;
}

/** A one-off run of a converter on a sample (API `POST /api/v1/converters/test`, CLI `converter test`). */
export type ConverterTestRequest = UplinkTestRequest | DownlinkTestRequest;

interface TestRequestBase {
  language: ConverterLanguage;
  script: string;
  limits?: Partial<ConverterLimits>;
  sandbox?: SandboxKind;
}

export interface UplinkTestRequest extends TestRequestBase {
  type: 'uplink';
  payload: Uint8Array;
  metadata?: Record<string, string>;
  /** Epoch ms used as the timestamp of telemetry without `ts`; default now. */
  receivedAt?: number;
  /** A point's own `ts` may be at most this far ahead of now. Default DEFAULT_MAX_FUTURE_TS_MS. */
  maxFutureTsMs?: number;
}

export interface DownlinkTestRequest extends TestRequestBase {
  type: 'downlink';
  msg: unknown;
  metadata?: Record<string, string>;
  msgType?: string;
  integrationMetadata?: Record<string, string>;
}

export interface ConverterTestError {
  code: string;
  message: string;
  /** compile: the script did not load; convert: it failed or broke a limit; validate: its output is invalid. */
  stage: 'compile' | 'convert' | 'validate';
  details: Record<string, unknown>;
}

export interface ConverterTestResult {
  /** The script's own output (JSON-compatible), undefined when it failed before returning. */
  output: unknown;
  /** Uplink: the normalised records, when the output is valid. */
  records?: EntityRecord[];
  /** Downlink: the normalised payloads, when the output is valid. */
  encoded?: EncodedDownlink[];
  error?: ConverterTestError;
  /** Lines the script wrote with console.log/info/warn/error/debug (bounded). */
  logs: string[];
  sandbox: SandboxKind;
}

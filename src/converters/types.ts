/**
 * Converter runtime contract. User scripts (ThingsBoard `Decoder`/`Encoder` bodies, or JSONata
 * expressions) are compiled once and then called with batches.
 */
import type { ConverterLimits, EncodedDownlink } from '../core/model.ts';

export const DEFAULT_CONVERTER_LIMITS: ConverterLimits = { timeoutMs: 1000, memoryMb: 64 };

export interface UplinkInput {
  payload: Uint8Array;
  metadata: Record<string, string>;
  /** Epoch ms; the timestamp of telemetry the converter returns without `ts`. */
  receivedAt: number;
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

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

/** What the converters, events and test APIs answer (docs/api.md). */

export type ConverterType = 'uplink' | 'downlink';
export type ConverterLanguage = 'javascript' | 'jsonata';

export interface ConverterView {
  id: string;
  name: string;
  type: ConverterType;
  language: ConverterLanguage;
  script: string;
  limits?: { timeoutMs?: number; memoryMb?: number };
  createdAt: number;
  updatedAt: number;
}

export interface TypedValue {
  type: string;
  value: unknown;
}

export interface NormalisedRecord {
  kind: string;
  name: string;
  type?: string;
  telemetry?: Array<{ ts: number; key: string; value: TypedValue; implicitTs?: boolean }>;
  attributes?: Array<{ key: string; value: TypedValue }>;
}

export interface TestError {
  code: string;
  message: string;
  stage: 'compile' | 'convert' | 'validate';
  details: { line?: number; column?: number; [key: string]: unknown };
}

/** POST /converters/test */
export interface TestAnswer {
  output?: unknown;
  records?: NormalisedRecord[];
  encoded?: Array<{ contentType: string; metadata?: Record<string, string>; dataBase64: string; dataText: string | null }>;
  logs: string[];
  error?: TestError;
}

/** A DEBUG_UPLINK / DEBUG_CONVERTER event: the message as received and what the converter did. */
export interface DebugEvent {
  id: string;
  integrationId: string;
  type: string;
  ts: number;
  body: {
    status?: 'OK' | 'ERROR';
    messageType?: 'TEXT' | 'BINARY';
    in?: string;
    metadata?: Record<string, string>;
    errorCode?: string;
    error?: string;
  };
}

/** The payload the test runs on, as the user typed or picked it. */
export interface UplinkSample {
  payload: string;
  encoding: 'text' | 'base64' | 'hex';
  metadata: string;
}

/** What the integrations API answers (docs/api.md). */

export interface IntegrationStatus {
  state: 'STOPPED' | 'STARTING' | 'RUNNING' | 'RECONNECTING' | 'PAUSED' | 'FAILED' | 'MISCONFIGURED';
  since: number;
  lastError: { code: string; message: string; fix: string | null; at: number; resolvedAt: number | null } | null;
  nextStartAt?: number;
  counters: { received: number; stored: number; deadLettered: number; duplicates: number; overwritten: number; errors: number };
  lastMessageAt: number | null;
  details?: Record<string, unknown>;
}

export interface ConverterRef {
  id: string;
  name: string;
}

export interface IntegrationView {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  uplinkConverter: ConverterRef | null;
  downlinkConverter: ConverterRef | null;
  allowCreateDevices: boolean;
  debug: { failures: boolean; allUntil: number };
  metadata: Record<string, string>;
  config: Record<string, unknown>;
  status: IntegrationStatus | null;
  warnings?: string[];
}

/** One integration in the live stream (GET /api/v1/stream/integrations). */
export interface LiveStatus {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  status: IntegrationStatus;
}

export interface ConnectorType {
  type: string;
  title: string;
  description: string;
  configSpec: Record<string, unknown>;
}

export interface ConverterSummary {
  id: string;
  name: string;
  type: 'uplink' | 'downlink';
}

export interface CheckResult {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; message: string }>;
  error?: { code: string; message: string };
}

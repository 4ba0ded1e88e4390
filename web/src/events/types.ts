/** What the events and dead-letters APIs answer (docs/api.md). */

export const EVENT_TYPES = ['LIFECYCLE', 'DEBUG_UPLINK', 'DEBUG_DOWNLINK', 'DEBUG_CONVERTER', 'ERROR', 'WARNING', 'STATS'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const TYPE_LABELS: Record<EventType, string> = {
  LIFECYCLE: 'lifecycle', DEBUG_UPLINK: 'debug uplink', DEBUG_DOWNLINK: 'debug downlink', DEBUG_CONVERTER: 'debug converter',
  ERROR: 'error', WARNING: 'warning', STATS: 'stats',
};

export interface EventItem {
  id: string;
  integrationId: string | null;
  converterId: string | null;
  type: EventType;
  ts: number;
  body: Record<string, unknown>;
}

export type LetterState = 'pending' | 'replayed' | 'discarded';

export interface DeadLetterItem {
  id: string;
  integrationId: string;
  sourceKey: string;
  stage: string;
  errorCode: string;
  error: string;
  metadata: Record<string, string>;
  receivedAt: number;
  createdAt: number;
  state: LetterState;
  replayCount: number;
  payloadBase64: string;
  payloadText: string | null;
}

export interface Outcome {
  id: string;
  /** Absent for an unknown letter. */
  integrationId?: string;
  ok: boolean;
  status: 'stored' | 'duplicate' | 'requeued' | 'dead-lettered' | 'failed' | 'discarded';
  error?: { code: string; message: string; stage?: string };
}

export interface BulkAnswer {
  failed: number;
  remaining: number;
  results: Outcome[];
}

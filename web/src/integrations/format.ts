/** How integration status values are shown. */
import type { IntegrationStatus } from './types.ts';

/** The state as the list names it: running, connecting, failed, misconfigured, paused, stopped. */
export function stateLabel(status: IntegrationStatus | null, enabled: boolean): string {
  if (!status) return enabled ? 'starting' : 'disabled';
  switch (status.state) {
    case 'STARTING': case 'RECONNECTING': return 'connecting';
    case 'STOPPED': return enabled ? 'stopped' : 'disabled';
    default: return status.state.toLowerCase();
  }
}

/** The largest partition lag the connector reports (ms), or null when it reports none. */
export function lagOf(status: IntegrationStatus | null): number | null {
  const partitions = status?.details?.partitions;
  if (!Array.isArray(partitions)) return null;
  const lags = partitions.map((p: { lagMs?: unknown }) => p.lagMs).filter((v): v is number => typeof v === 'number');
  return lags.length > 0 ? Math.max(...lags) : null;
}

export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function time(ms: number | null | undefined): string {
  return ms ? new Date(ms).toLocaleString() : '—';
}

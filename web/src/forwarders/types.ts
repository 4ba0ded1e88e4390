/** What the forwarders API answers (docs/thingsboard.md "Status and metrics", docs/api.md). */

export type ForwarderState = 'connecting' | 'connected' | 'disconnected' | 'standby' | 'failed' | 'misconfigured' | 'stopped';

export interface ForwarderStatus {
  state: ForwarderState;
  since: number;
  lastError: { code: string; message: string; fix: string | null } | null;
  outbox: { depth: number; oldestAt: number | null; lagMs: number | null };
  counters: Record<string, number>;
  details?: { holder?: string | null } & Record<string, unknown>;
}

export interface ForwarderView {
  name: string;
  type: string;
  integrations: 'all' | string[];
  enabled: boolean;
  config: Record<string, unknown>;
  status: ForwarderStatus;
  warnings?: string[];
}

export interface ForwarderType {
  type: string;
  title: string;
  description: string;
  configSpec: Record<string, unknown>;
}

/** What GET /api/v1/audit answers (docs/audit.md). */

export const AUDIT_KINDS = ['integration', 'converter', 'forwarder', 'token', 'dead-letter'] as const;
export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'enable', 'disable', 'replay', 'discard'] as const;

export interface AuditItem {
  id: string;
  ts: number;
  source: 'api' | 'cli' | 'config-file';
  actor: string;
  action: (typeof AUDIT_ACTIONS)[number];
  entityKind: (typeof AUDIT_KINDS)[number];
  entityId: string;
  entityName: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

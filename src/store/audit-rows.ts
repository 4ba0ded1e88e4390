/**
 * The audit table (docs/audit.md) as both SQL stores read and write it: its columns, a row's
 * mapping to an AuditEntry, and the WHERE clause of a listing, built with the store's placeholders.
 */
import { randomUUID } from 'node:crypto';
import { decodeJson, encodeJson } from './kv-columns.ts';
import type { AuditAction, AuditEntityKind, AuditEntry, AuditInput, AuditQuery, AuditSource } from './types.ts';

export const AUDIT_COLUMNS = 'id, ts, source, actor, action, entity_kind, entity_id, entity_name, before_json, after_json';

export interface AuditRow {
  id: string;
  ts: number;
  source: AuditSource;
  actor: string;
  action: AuditAction;
  entity_kind: AuditEntityKind;
  entity_id: string;
  entity_name: string | null;
  before_json: string | null;
  after_json: string | null;
}

/** The values of AUDIT_COLUMNS for a new entry, in order. */
export function auditValues(e: AuditInput): [string, number, string, string, string, string, string, string | null, string | null, string | null] {
  const json = (v: unknown): string | null => (v === null || v === undefined ? null : encodeJson(v));
  return [randomUUID(), e.ts, e.source, e.actor, e.action, e.entityKind, e.entityId, e.entityName, json(e.before), json(e.after)];
}

export function toAuditEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id, ts: Number(r.ts), source: r.source, actor: r.actor, action: r.action, entityKind: r.entity_kind,
    entityId: r.entity_id, entityName: r.entity_name,
    before: r.before_json === null ? null : decodeJson(r.before_json),
    after: r.after_json === null ? null : decodeJson(r.after_json),
  };
}

/**
 * The conditions of a listing but `before` (which needs the anchor's position): `param` adds a
 * value and returns its placeholder (`?` or `$n`).
 */
export function auditConditions(q: AuditQuery, param: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (q.entityKind !== undefined) where.push(`entity_kind = ${param(q.entityKind)}`);
  if (q.entity !== undefined) where.push(`(entity_id = ${param(q.entity)} OR entity_name = ${param(q.entity)})`);
  if (q.actor !== undefined) where.push(`actor = ${param(q.actor)}`);
  if (q.action !== undefined) where.push(`action = ${param(q.action)}`);
  if (q.source !== undefined) where.push(`source = ${param(q.source)}`);
  if (q.from !== undefined) where.push(`ts >= ${param(q.from)}`);
  if (q.to !== undefined) where.push(`ts < ${param(q.to)}`);
  return where;
}

export const auditAnchorMissing = (id: string): string => `audit entry ${id} not found (it may have been pruned)`;

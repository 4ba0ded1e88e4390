/**
 * The audit log (docs/audit.md), for admin tokens only: who changed which converter, integration,
 * forwarder, token or dead letter, when, with the object before and after (secrets as "***").
 * Newest first, paged with before=<id> like the events.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { AuditAction, AuditEntityKind, AuditSource } from '../../store/types.ts';
import { requireAdmin } from '../actor.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../openapi.ts';

const KINDS: readonly AuditEntityKind[] = ['integration', 'converter', 'forwarder', 'token', 'dead-letter'];
const SOURCES: readonly AuditSource[] = ['api', 'cli', 'config-file'];
const ACTIONS: readonly AuditAction[] = ['create', 'update', 'delete', 'enable', 'disable', 'replay', 'discard'];

const literals = <T extends string>(values: readonly T[], description: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });

const Snapshot = Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], {
  description: 'The object as its API view shows it, secrets and tokens as "***"; null when it did not exist (before) or no longer exists (after)',
});

export const AuditEntrySpec = Type.Object({
  id: Type.String({ description: 'Entry id (page with before=<id>)' }),
  ts: Type.Integer({ description: 'When the change was made (ms since the epoch)' }),
  source: literals(SOURCES, 'Where the change came from: the REST API, the command line, or the config file (at start or reload)'),
  actor: Type.String({ description: 'The API token\'s name; "cli" or "config-file"' }),
  action: literals(ACTIONS, 'What was done'),
  entityKind: literals(KINDS, 'What it was done to'),
  entityId: Type.String({ description: 'Its id (a forwarder\'s: its name)' }),
  entityName: Type.Union([Type.String(), Type.Null()], { description: 'Its name (null for a dead letter)' }),
  before: Snapshot,
  after: Snapshot,
}, { additionalProperties: false });

interface AuditQuerystring {
  kind?: AuditEntityKind; entity?: string; actor?: string; action?: AuditAction; source?: AuditSource;
  from?: number; to?: number; before?: string; limit?: number;
}

export function auditRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: AuditQuerystring }>('/audit', {
      schema: {
        tags: ['audit'],
        summary: 'The audit log (admin): changes made through the API, the CLI or the config file, newest first (page with before=<id>). See docs/audit.md.',
        querystring: Type.Object({
          kind: Type.Optional(literals(KINDS, 'Only entries about this kind of entity')),
          entity: Type.Optional(Type.String({ minLength: 1, description: 'Only entries about the entity with this id or name' })),
          actor: Type.Optional(Type.String({ minLength: 1, description: 'Only changes by this actor (a token\'s name, "cli" or "config-file")' })),
          action: Type.Optional(literals(ACTIONS, 'Only entries of this action')),
          source: Type.Optional(literals(SOURCES, 'Only changes from this source')),
          from: Type.Optional(Type.Integer({ minimum: 0, description: 'Entries at or after (ms since the epoch)' })),
          to: Type.Optional(Type.Integer({ minimum: 0, description: 'Entries before (ms since the epoch)' })),
          before: Type.Optional(Type.String({ minLength: 1, description: 'Entries older than the entry with this id (the last id of the previous page)' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }, { additionalProperties: false }),
        response: {
          200: Type.Array(AuditEntrySpec, { description: 'The entries, newest first' }),
          ...errors(403, 404),
        },
      },
    }, async (req) => {
      await requireAdmin(deps, req, 'read the audit log');
      const q = req.query;
      return deps.store.listAudit({
        ...(q.kind ? { entityKind: q.kind } : {}), ...(q.entity ? { entity: q.entity } : {}), ...(q.actor ? { actor: q.actor } : {}),
        ...(q.action ? { action: q.action } : {}), ...(q.source ? { source: q.source } : {}), ...(q.from !== undefined ? { from: q.from } : {}), ...(q.to !== undefined ? { to: q.to } : {}),
        ...(q.before ? { before: q.before } : {}), limit: q.limit ?? 100,
      });
    });
  };
}

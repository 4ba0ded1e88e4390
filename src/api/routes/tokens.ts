/**
 * API token administration for admins: list (names, roles, dates; never a hash or a token),
 * create (the token is in the answer once), revoke. See docs/api.md "API tokens". Creations and
 * revocations are recorded in the audit log (never the token or its hash).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { hashToken } from '../../app/auth.ts';
import { TokenFields } from '../components.ts';
import { assertTokenNameFree, tokenToRevoke, tokenView } from '../../app/token-admin.ts';
import type { ApiToken } from '../../store/types.ts';
import { actorOf, requireAdmin as requireAdminOf } from '../actor.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, noContent, ref } from '../openapi.ts';
import { strictBody } from '../strict-body.ts';

export function tokenRoutes(deps: ApiDeps): FastifyPluginAsync {
  const requireAdmin = (req: FastifyRequest): Promise<void> => requireAdminOf(deps, req, 'manage tokens');
  return async (app) => {
    const tags = ['tokens'];
    app.get('/tokens', { schema: { tags, summary: 'API tokens (admin): [{id, name, role, createdAt}], oldest first; never the token or its hash', response: { 200: Type.Array(ref('Token')), ...errors(403) } } }, async (req) => {
      await requireAdmin(req);
      return (await deps.store.listTokens()).map(tokenView);
    });
    app.post<{ Body: { name: string; role: ApiToken['role'] } }>('/tokens', {
      ...strictBody,
      schema: { tags, summary: 'Create a token (admin): the answer holds it once; only its SHA-256 hash is stored. Names are unique (CONFLICT)', body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 200, description: 'Who or what the token is for' }),
        role: Type.Union([Type.Literal('viewer'), Type.Literal('admin')]),
      }, { additionalProperties: false }), response: {
        201: Type.Object({ ...TokenFields, token: Type.String({ description: 'The token: shown only in this answer' }) }, { additionalProperties: false }),
      } },
    }, async (req, reply) => {
      await requireAdmin(req);
      const token = `cb_${randomBytes(24).toString('base64url')}`;
      deps.onSecrets([token]);
      const created: ApiToken = { id: randomUUID(), name: req.body.name.trim() || req.body.name, role: req.body.role, hash: hashToken(token), createdAt: deps.clock.now() };
      assertTokenNameFree(await deps.store.listTokens(), created.name);
      await deps.store.addToken(created);
      await deps.audit.record(await actorOf(deps, req), { action: 'create', entityKind: 'token', entityId: created.id, entityName: created.name, before: null, after: tokenView(created) });
      await deps.auth.reload();
      return reply.status(201).send({ ...tokenView(created), token });
    });
    app.delete<{ Params: { id: string } }>('/tokens/:id', {
      schema: { tags, summary: 'Revoke a token (admin; by id, or by name): refused at once. The last admin token cannot be revoked (CONFLICT).', params: Type.Object({ id: Type.String() }), response: { 204: noContent('Revoked'), ...errors(404, 409) } },
    }, async (req, reply) => {
      await requireAdmin(req);
      const by = await actorOf(deps, req);
      const target = tokenToRevoke(await deps.store.listTokens(), req.params.id);
      await deps.store.deleteToken(target.id);
      await deps.audit.record(by, { action: 'delete', entityKind: 'token', entityId: target.id, entityName: target.name, before: tokenView(target), after: null });
      await deps.auth.reload();
      return reply.status(204).send();
    });
  };
}

/** Dead letters: list, inspect (payload in base64 and text), replay, discard (in bulk: ./dead-letter-bulk.ts). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import { utf8OrNull } from '../../core/utf8.ts';
import type { DeadLetter } from '../../store/types.ts';
import { actorOf } from '../actor.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, noContent, ref } from '../openapi.ts';
import { deadLetterFilterFields, deadLetterQuery, type DeadLetterFilter } from '../dead-letter-filter.ts';

function view(dl: DeadLetter): Record<string, unknown> {
  const { payload, ...rest } = dl;
  return { ...rest, payloadBase64: Buffer.from(payload).toString('base64'), payloadText: utf8OrNull(payload) };
}

const IdParams = Type.Object({ id: Type.String() });

export function deadLetterRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ['dead letters'];
    app.get<{ Querystring: DeadLetterFilter & { limit?: number; offset?: number } }>('/dead-letters', {
      schema: { tags, summary: 'Dead letters, newest first, with `total` matching the filter', querystring: Type.Object({
        ...deadLetterFilterFields,
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
      }), response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(ref('DeadLetter')) }, { additionalProperties: false }), ...errors(404) } },
    }, async (req) => {
      const query = await deadLetterQuery(deps, req.query);
      const page = await deps.store.listDeadLetters({ ...query, limit: req.query.limit ?? 100, offset: req.query.offset ?? 0 });
      return { total: page.total, items: page.items.map(view) };
    });
    app.get<{ Params: { id: string } }>('/dead-letters/:id', { schema: { tags, summary: 'A dead letter with its payload (base64 and text)', params: IdParams, response: { 200: ref('DeadLetter'), ...errors(404) } } }, async (req) => {
      const dl = await deps.store.getDeadLetter(req.params.id);
      if (!dl) throw new CloudbridgeError('NOT_FOUND', `dead letter ${req.params.id} not found`);
      return view(dl);
    });
    app.post<{ Params: { id: string } }>('/dead-letters/:id/replay', { schema: { tags, summary: 'Run through the current converter and store (idempotent); the outcome is in the answer (a converter failing again: status dead-lettered)', params: IdParams, response: { 200: ref('ReplayResult'), ...errors(404) } } }, async (req) => deps.deadLetters.replay(req.params.id, await actorOf(deps, req)));
    app.delete<{ Params: { id: string } }>('/dead-letters/:id', { schema: { tags, summary: 'Discard', params: IdParams, response: { 204: noContent('Discarded'), ...errors(404) } } }, async (req, reply) => {
      await deps.deadLetters.discard(req.params.id, await actorOf(deps, req));
      return reply.status(204).send();
    });
  };
}

/** Dead letters: list, inspect (payload in base64 and text), replay, discard. */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import { utf8OrNull } from '../../core/utf8.ts';
import type { DeadLetter, DeadLetterState } from '../../store/types.ts';
import type { ApiDeps } from '../deps.ts';

function view(dl: DeadLetter): Record<string, unknown> {
  const { payload, ...rest } = dl;
  return { ...rest, payloadBase64: Buffer.from(payload).toString('base64'), payloadText: utf8OrNull(payload) };
}

export function deadLetterRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ['dead letters'];
    app.get<{ Querystring: { integration?: string; state?: DeadLetterState; limit?: number; offset?: number } }>('/dead-letters', {
      schema: { tags, querystring: Type.Object({
        integration: Type.Optional(Type.String()), state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('replayed'), Type.Literal('discarded')])),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
      }) },
    }, async (req) => {
      let integrationId: string | undefined;
      if (req.query.integration) integrationId = (await deps.configService.requireIntegration(req.query.integration)).id;
      const page = await deps.store.listDeadLetters({ ...(integrationId ? { integrationId } : {}), ...(req.query.state ? { state: req.query.state } : {}), limit: req.query.limit ?? 100, offset: req.query.offset ?? 0 });
      return { total: page.total, items: page.items.map(view) };
    });
    app.get<{ Params: { id: string } }>('/dead-letters/:id', { schema: { tags } }, async (req) => {
      const dl = await deps.store.getDeadLetter(req.params.id);
      if (!dl) throw new CloudbridgeError('NOT_FOUND', `dead letter ${req.params.id} not found`);
      return view(dl);
    });
    app.post<{ Params: { id: string } }>('/dead-letters/:id/replay', { schema: { tags, summary: 'Run through the current converter and store (idempotent)' } }, async (req) => deps.deadLetters.replay(req.params.id));
    app.post<{ Body: { integration?: string; limit?: number } }>('/dead-letters/replay', {
      schema: { tags, summary: 'Replay pending dead letters (optionally of one integration)', body: Type.Object({ integration: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })) }) },
    }, async (req) => {
      let integrationId: string | undefined;
      if (req.body.integration) integrationId = (await deps.configService.requireIntegration(req.body.integration)).id;
      const page = await deps.store.listDeadLetters({ ...(integrationId ? { integrationId } : {}), state: 'pending', limit: req.body.limit ?? 1000 });
      const results = await deps.deadLetters.replayMany(page.items.map((dl) => dl.id));
      return { replayed: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, results };
    });
    app.delete<{ Params: { id: string } }>('/dead-letters/:id', { schema: { tags, summary: 'Discard' } }, async (req, reply) => {
      const dl = await deps.store.getDeadLetter(req.params.id);
      if (!dl) throw new CloudbridgeError('NOT_FOUND', `dead letter ${req.params.id} not found`);
      await deps.store.setDeadLetterState(dl.id, 'discarded');
      return reply.status(204).send();
    });
  };
}

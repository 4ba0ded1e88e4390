/** Integration events: lifecycle, debug (uplink/downlink), warnings and errors. */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { EventType } from '../../store/types.ts';
import type { ApiDeps } from '../deps.ts';

export function eventRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { integration?: string; type?: EventType; before?: string; limit?: number } }>('/events', {
      schema: { tags: ['events'], summary: 'Events, newest first (page with before=<id>)', querystring: Type.Object({
        integration: Type.Optional(Type.String({ description: 'Integration id or name' })),
        type: Type.Optional(Type.Union(['LIFECYCLE', 'DEBUG_UPLINK', 'DEBUG_DOWNLINK', 'DEBUG_CONVERTER', 'ERROR', 'WARNING', 'STATS'].map((t) => Type.Literal(t)))),
        before: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      }) },
    }, async (req) => {
      let integrationId: string | undefined;
      if (req.query.integration) integrationId = (await deps.configService.requireIntegration(req.query.integration)).id;
      return deps.store.listEvents({
        ...(integrationId ? { integrationId } : {}), ...(req.query.type ? { type: req.query.type } : {}),
        ...(req.query.before ? { before: req.query.before } : {}), limit: req.query.limit ?? 100,
      });
    });
  };
}

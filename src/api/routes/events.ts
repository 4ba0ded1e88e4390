/**
 * Integration events: lifecycle, debug (uplink/downlink), warnings and errors. While the store is
 * unavailable the last lifecycle, warning and error events kept in memory are served instead
 * (`source: "memory"`, header `x-cloudbridge-source: memory`).
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { EventType } from '../../store/types.ts';
import type { ApiDeps } from '../deps.ts';
import { storeOrMemory } from '../memory-fallback.ts';

export function eventRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { integration?: string; type?: EventType; before?: string; limit?: number } }>('/events', {
      schema: { tags: ['events'], summary: 'Events, newest first (page with before=<id>)', querystring: Type.Object({
        integration: Type.Optional(Type.String({ description: 'Integration id or name' })),
        type: Type.Optional(Type.Union(['LIFECYCLE', 'DEBUG_UPLINK', 'DEBUG_DOWNLINK', 'DEBUG_CONVERTER', 'ERROR', 'WARNING', 'STATS'].map((t) => Type.Literal(t)))),
        before: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      }) },
    }, async (req, reply) => {
      const q = req.query;
      const filters = { ...(q.type ? { type: q.type } : {}), ...(q.before ? { before: q.before } : {}), limit: q.limit ?? 100 };
      return storeOrMemory(reply, async () => {
        let integrationId: string | undefined;
        if (q.integration) integrationId = (await deps.configService.requireIntegration(q.integration)).id;
        return deps.store.listEvents({ ...(integrationId ? { integrationId } : {}), ...filters });
      }, () => {
        const runtime = q.integration ? deps.manager.find(q.integration) : undefined;
        if (q.integration && !runtime) return undefined;
        return deps.recentEvents.list({ ...(runtime ? { integrationId: runtime.id } : {}), ...filters });
      });
    });
  };
}

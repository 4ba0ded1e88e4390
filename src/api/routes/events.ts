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
import { errors, ref } from '../openapi.ts';

export const EVENT_TYPES: readonly EventType[] = ['LIFECYCLE', 'DEBUG_UPLINK', 'DEBUG_DOWNLINK', 'DEBUG_CONVERTER', 'ERROR', 'WARNING', 'STATS'];

/** `type`: one type or several separated by commas. */
export const eventTypeList = Type.String({
  pattern: `^(${EVENT_TYPES.join('|')})(,(${EVENT_TYPES.join('|')}))*$`,
  description: `One or more of ${EVENT_TYPES.join(', ')}, separated by commas`,
});

export function parseTypes(type: string | undefined): EventType[] {
  return type ? [...new Set(type.split(','))] as EventType[] : [];
}

interface EventsQuery { integration?: string; type?: string; from?: number; to?: number; before?: string; limit?: number }

export function eventRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: EventsQuery }>('/events', {
      schema: { tags: ['events'], summary: 'Events, newest first (page with before=<id>)', querystring: Type.Object({
        integration: Type.Optional(Type.String({ description: 'Integration id or name' })),
        type: Type.Optional(eventTypeList),
        from: Type.Optional(Type.Integer({ minimum: 0, description: 'Events at or after (ms since the epoch)' })),
        to: Type.Optional(Type.Integer({ minimum: 0, description: 'Events before (ms since the epoch)' })),
        before: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      }), response: { 200: Type.Array(ref('Event')), ...errors(404) } },
    }, async (req, reply) => {
      const q = req.query;
      const types = parseTypes(q.type);
      const filters = {
        ...(types.length > 0 ? { types } : {}), ...(q.from !== undefined ? { from: q.from } : {}), ...(q.to !== undefined ? { to: q.to } : {}),
        ...(q.before ? { before: q.before } : {}), limit: q.limit ?? 100,
      };
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

/**
 * Bulk replay and discard of dead letters: a list of ids, or every letter matching a filter
 * (pending ones unless `state` says otherwise), at most `limit` per call, with the outcome per letter.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiDeps } from '../deps.ts';
import { deadLetterFilterFields, deadLetterQuery, type DeadLetterFilter } from '../dead-letter-filter.ts';

/** The most letters one bulk call handles; `remaining` says how many more match. */
export const BULK_MAX = 1000;

interface BulkBody extends DeadLetterFilter {
  ids?: string[];
  limit?: number;
}

const bulkBody = Type.Object({
  ...deadLetterFilterFields,
  ids: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: BULK_MAX, description: 'These letters (instead of a filter)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: BULK_MAX, default: BULK_MAX, description: 'At most this many letters of the filter' })),
});

/** The ids to act on and how many more match the filter. */
async function selection(deps: ApiDeps, body: BulkBody): Promise<{ ids: string[]; remaining: number }> {
  if (body.ids) return { ids: [...new Set(body.ids)], remaining: 0 };
  const query = await deadLetterQuery(deps, { ...body, state: body.state ?? 'pending' });
  const limit = body.limit ?? BULK_MAX;
  const page = await deps.store.listDeadLetters({ ...query, limit });
  return { ids: page.items.map((d) => d.id), remaining: Math.max(0, page.total - page.items.length) };
}

export function deadLetterBulkRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ['dead letters'];
    app.post<{ Body: BulkBody }>('/dead-letters/replay', {
      schema: { tags, body: bulkBody, summary: 'Replay the letters named by `ids`, or those matching the filter (pending by default); outcome per letter: stored, duplicate, requeued, dead-lettered (failed again, with the new error) or failed' },
    }, async (req) => {
      const { ids, remaining } = await selection(deps, req.body);
      const results = await deps.deadLetters.replayEach(ids);
      return { replayed: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, remaining, results };
    });
    app.post<{ Body: BulkBody }>('/dead-letters/discard', {
      schema: { tags, body: bulkBody, summary: 'Discard the letters named by `ids`, or those matching the filter (pending by default); outcome per letter: discarded or failed' },
    }, async (req) => {
      const { ids, remaining } = await selection(deps, req.body);
      const results = await deps.deadLetters.discardEach(ids);
      return { discarded: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, remaining, results };
    });
  };
}

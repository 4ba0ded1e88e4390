/**
 * Bulk replay and discard of dead letters: a list of ids, or every letter matching a filter
 * (pending ones unless `state` says otherwise), at most `limit` per call, with the outcome per letter.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { actorOf } from '../actor.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, ref } from '../openapi.ts';
import { deadLetterFilterFields, deadLetterQuery, type DeadLetterFilter } from '../dead-letter-filter.ts';
import { strictBody } from '../strict-body.ts';

/** The most letters one bulk call handles; `remaining` says how many more match. */
export const BULK_MAX = 1000;

interface BulkBody extends DeadLetterFilter {
  ids?: string[];
  limit?: number;
}

/** Strict: a misspelled filter field must not widen the selection to every letter. */
const bulkBody = Type.Object({
  ...deadLetterFilterFields,
  ids: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: BULK_MAX, description: 'These letters (instead of a filter)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: BULK_MAX, default: BULK_MAX, description: 'At most this many letters of the filter' })),
}, { additionalProperties: false });

const bulkAnswer = (done: 'replayed' | 'discarded', results: TSchema) => Type.Object({
  [done]: Type.Integer({ description: `How many were ${done}` }), failed: Type.Integer(),
  remaining: Type.Integer({ description: 'How many more letters match the filter (call again)' }),
  results,
}, { additionalProperties: false });

const DiscardResult = Type.Object({
  id: Type.String(), ok: Type.Boolean(), status: Type.Union([Type.Literal('discarded'), Type.Literal('failed')]),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false })),
  integrationId: Type.Optional(Type.String()),
}, { additionalProperties: false });

interface Selection {
  ids: string[];
  /** The letters' integrations, to name them in the results. */
  integrationOf: Map<string, string>;
  remaining: number;
}

/** The ids to act on and how many more match the filter. */
async function selection(deps: ApiDeps, body: BulkBody): Promise<Selection> {
  if (body.ids) {
    const ids = [...new Set(body.ids)];
    const integrationOf = new Map<string, string>();
    for (const id of ids) {
      const dl = await deps.store.getDeadLetter(id);
      if (dl) integrationOf.set(id, dl.integrationId);
    }
    return { ids, integrationOf, remaining: 0 };
  }
  const query = await deadLetterQuery(deps, { ...body, state: body.state ?? 'pending' });
  const page = await deps.store.listDeadLetters({ ...query, limit: body.limit ?? BULK_MAX });
  return { ids: page.items.map((d) => d.id), integrationOf: new Map(page.items.map((d) => [d.id, d.integrationId])), remaining: Math.max(0, page.total - page.items.length) };
}

/** The results with each letter's integration id (absent for an unknown letter). */
function named<R extends { id: string }>(results: R[], sel: Selection): Array<R & { integrationId?: string }> {
  return results.map((r) => {
    const integrationId = sel.integrationOf.get(r.id);
    return integrationId ? { ...r, integrationId } : r;
  });
}

export function deadLetterBulkRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ['dead letters'];
    app.post<{ Body: BulkBody }>('/dead-letters/replay', {
      ...strictBody,
      schema: { tags, body: bulkBody, response: { 200: bulkAnswer('replayed', Type.Array(ref('ReplayResult'))), ...errors(404) }, summary: 'Replay the letters named by `ids`, or those matching the filter (pending by default); outcome per letter: stored, duplicate, requeued, dead-lettered (failed again, with the new error) or failed' },
    }, async (req) => {
      const sel = await selection(deps, req.body);
      const results = named(await deps.deadLetters.replayEach(sel.ids, await actorOf(deps, req)), sel);
      return { replayed: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, remaining: sel.remaining, results };
    });
    app.post<{ Body: BulkBody }>('/dead-letters/discard', {
      ...strictBody,
      schema: { tags, body: bulkBody, response: { 200: bulkAnswer('discarded', Type.Array(DiscardResult)), ...errors(404) }, summary: 'Discard the letters named by `ids`, or those matching the filter (pending by default); outcome per letter: discarded or failed' },
    }, async (req) => {
      const sel = await selection(deps, req.body);
      const results = named(await deps.deadLetters.discardEach(sel.ids, await actorOf(deps, req)), sel);
      return { discarded: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, remaining: sel.remaining, results };
    });
  };
}

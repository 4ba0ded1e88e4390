/**
 * Live events (server-sent events) for the web UI's events page: each new event matching the
 * filter, as `GET /events` shows it, checked every second. See docs/api.md "Live events".
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import type { EventQuery, StoredEvent } from '../../store/types.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, textResponse } from '../openapi.ts';
import { serveSse, trackStreams } from '../sse.ts';
import { ticketsFor } from '../stream-tickets.ts';
import { eventTypeList, parseTypes } from './events.ts';

const CHECK_EVERY_MS = 1000;
/** The most events one check sends; a faster burst is seen on the next page load. */
const BATCH = 200;

/** Events newer than those already sent: everything after the newest ts sent, plus unsent ones at it. */
export class NewEvents {
  private lastTs: number;
  private sentAtLast = new Set<string>();

  constructor(from: number) {
    this.lastTs = from;
  }

  get from(): number {
    return this.lastTs;
  }

  /** The unsent ones of `newestFirst` (a page at or after `from`), oldest first. */
  take(newestFirst: StoredEvent[]): StoredEvent[] {
    const fresh = newestFirst.filter((e) => e.ts > this.lastTs || !this.sentAtLast.has(e.id)).reverse();
    for (const e of fresh) {
      if (e.ts > this.lastTs) {
        this.lastTs = e.ts;
        this.sentAtLast = new Set();
      }
      this.sentAtLast.add(e.id);
    }
    return fresh;
  }
}

export function eventStreamRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const tickets = ticketsFor(deps);
    const open = trackStreams(app);
    app.get<{ Querystring: { ticket?: string; integration?: string; type?: string; from?: number } }>('/stream/events', {
      config: { access: 'ticket' },
      schema: {
        tags: ['events'], security: [],
        summary: 'Server-sent events: "event" for each new event matching the filter (integration, type as in GET /events), from `from` (ms, default now) on, checked every second. Authenticated by ?ticket= from POST /stream/tickets.',
        querystring: Type.Object({
          ticket: Type.Optional(Type.String()), integration: Type.Optional(Type.String()), type: Type.Optional(eventTypeList),
          from: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { 200: textResponse('text/event-stream', 'Server-sent events (see the summary)'), ...errors(404) },
      },
    }, async (req, reply) => {
      if (!tickets.redeem(req.query.ticket, deps.clock.now())) {
        throw new CloudbridgeError('UNAUTHORIZED', 'missing, used or expired stream ticket: get one with POST /api/v1/stream/tickets');
      }
      const q = req.query;
      const types = parseTypes(q.type);
      const base: EventQuery = types.length > 0 ? { types } : {};
      if (q.integration) base.integrationId = (await deps.configService.requireIntegration(q.integration)).id;
      const news = new NewEvents(q.from ?? deps.clock.now());
      serveSse(req, reply, {
        first: ': events\n\n',
        check: async () => {
          const page = await deps.store.listEvents({ ...base, from: news.from, limit: BATCH });
          return news.take(page).map((e) => `event: event\ndata: ${JSON.stringify(e)}\n\n`).join('');
        },
        everyMs: CHECK_EVERY_MS, open,
      });
    });
  };
}

/**
 * The forwarders' live status as server-sent events, opened with a stream ticket like
 * /stream/integrations: a snapshot of every forwarder (as GET /forwarders lists it, secrets as
 * "***"), then each one whose status or config changed, and those removed. See docs/api.md
 * "Live forwarder status".
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import type { ForwarderView } from '../../app/forwarder-manager.ts';
import type { ApiDeps } from '../deps.ts';
import { StatusDiff, sseFrame } from '../integration-stream.ts';
import { errors, textResponse } from '../openapi.ts';
import { serveSse, trackStreams } from '../sse.ts';
import { ticketsFor } from '../stream-tickets.ts';

const CHECK_EVERY_MS = 1000;

export function forwarderStreamRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const tickets = ticketsFor(deps);
    const open = trackStreams(app);
    app.get<{ Querystring: { ticket?: string } }>('/stream/forwarders', {
      config: { access: 'ticket' },
      schema: {
        tags: ['forwarders'], security: [],
        summary: 'Server-sent events: "snapshot" (every forwarder as GET /forwarders lists it), then "status" for each forwarder whose status or config changed and "removed" ({name}); checked every second. Authenticated by ?ticket= from POST /stream/tickets.',
        querystring: Type.Object({ ticket: Type.Optional(Type.String()) }),
        response: { 200: textResponse('text/event-stream', 'Server-sent events (see the summary)'), ...errors(404) },
      },
    }, async (req, reply) => {
      if (!tickets.redeem(req.query.ticket, deps.clock.now())) {
        throw new CloudbridgeError('UNAUTHORIZED', 'missing, used or expired stream ticket: get one with POST /api/v1/stream/tickets');
      }
      const forwarders = deps.forwarders;
      if (!forwarders) throw new CloudbridgeError('NOT_FOUND', 'forwarders are not available here');
      const diff = new StatusDiff<ForwarderView>('name');
      serveSse(req, reply, {
        first: sseFrame(diff.snapshot(forwarders.list())),
        check: () => diff.changes(forwarders.list()).map(sseFrame).join(''),
        everyMs: CHECK_EVERY_MS, open,
      });
    });
  };
}

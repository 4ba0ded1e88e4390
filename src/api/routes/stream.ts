/**
 * The session's role, stream tickets and the live integrations stream (server-sent events) the
 * web UI uses. See docs/api.md "Live status".
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import { bearer } from '../bearer.ts';
import type { ApiDeps } from '../deps.ts';
import { textResponse } from '../openapi.ts';
import { StatusDiff, liveStatuses, sseFrame } from '../integration-stream.ts';
import { serveSse, trackStreams } from '../sse.ts';
import { ticketsFor } from '../stream-tickets.ts';

const CHECK_EVERY_MS = 1000;

export function streamRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const tickets = ticketsFor(deps);
    const open = trackStreams(app);
    app.get('/session', {
      schema: { tags: ['session'], summary: 'The role of the token sent: {"role": "admin" | "viewer"}', response: { 200: Type.Object({ role: Type.Union([Type.Literal('admin'), Type.Literal('viewer')]) }, { additionalProperties: false }) } },
    }, async (req) =>
      ({ role: await deps.auth.roleOf(bearer(req)) }));
    app.post('/stream/tickets', {
      config: { access: 'any-role' },
      schema: { tags: ['session'], summary: 'A single-use ticket (valid 30 s) that opens one event stream: EventSource cannot send the Authorization header. Viewer tokens may ask too.',
        response: { 200: Type.Object({ ticket: Type.String(), expiresAt: Type.Integer({ description: 'Epoch ms' }) }, { additionalProperties: false }) } },
    }, async (req) => {
      const role = await deps.auth.roleOf(bearer(req));
      if (!role) throw new CloudbridgeError('UNAUTHORIZED', 'missing or invalid token');
      return tickets.issue(role, deps.clock.now());
    });
    app.get<{ Querystring: { ticket?: string } }>('/stream/integrations', {
      config: { access: 'ticket' },
      schema: {
        tags: ['integrations'], security: [],
        summary: 'Server-sent events: "snapshot" (every integration\'s live status), then "status" for each change and "removed"; checked every second. Authenticated by ?ticket= from POST /stream/tickets.',
        querystring: Type.Object({ ticket: Type.Optional(Type.String()) }),
        response: { 200: textResponse('text/event-stream', 'Server-sent events (see the summary)') },
      },
    }, async (req, reply) => {
      if (!tickets.redeem(req.query.ticket, deps.clock.now())) {
        throw new CloudbridgeError('UNAUTHORIZED', 'missing, used or expired stream ticket: get one with POST /api/v1/stream/tickets');
      }
      const diff = new StatusDiff();
      serveSse(req, reply, {
        first: sseFrame(diff.snapshot(liveStatuses(deps.manager))),
        check: () => diff.changes(liveStatuses(deps.manager)).map(sseFrame).join(''),
        everyMs: CHECK_EVERY_MS, open,
      });
    });
  };
}

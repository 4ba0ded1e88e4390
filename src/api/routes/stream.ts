/**
 * The session's role, stream tickets and the live integrations stream (server-sent events) the
 * web UI uses. See docs/api.md "Live status".
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import { bearer } from '../bearer.ts';
import type { ApiDeps } from '../deps.ts';
import { StatusDiff, liveStatuses, sseFrame } from '../integration-stream.ts';
import { ticketsFor } from '../stream-tickets.ts';

const CHECK_EVERY_MS = 1000;
const KEEPALIVE_MS = 15_000;

export function streamRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const tickets = ticketsFor(deps);
    const open = new Set<() => void>();
    app.addHook('preClose', async () => {
      for (const end of [...open]) end();
    });
    app.get('/session', { schema: { tags: ['session'], summary: 'The role of the token sent: {"role": "admin" | "viewer"}' } }, async (req) =>
      ({ role: await deps.auth.roleOf(bearer(req)) }));
    app.post('/stream/tickets', {
      config: { access: 'any-role' },
      schema: { tags: ['session'], summary: 'A single-use ticket (valid 30 s) that opens one event stream: EventSource cannot send the Authorization header. Viewer tokens may ask too.' },
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
      },
    }, async (req, reply) => {
      if (!tickets.redeem(req.query.ticket, deps.clock.now())) {
        throw new CloudbridgeError('UNAUTHORIZED', 'missing, used or expired stream ticket: get one with POST /api/v1/stream/tickets');
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const diff = new StatusDiff();
      res.write(`retry: 2000\n${sseFrame(diff.snapshot(liveStatuses(deps.manager)))}`);
      const check = setInterval(() => {
        for (const e of diff.changes(liveStatuses(deps.manager))) res.write(sseFrame(e));
      }, CHECK_EVERY_MS);
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      const end = (): void => {
        clearInterval(check);
        clearInterval(keepalive);
        open.delete(end);
        if (!res.writableEnded) res.end();
      };
      open.add(end);
      req.raw.once('close', end);
      res.once('close', end);
    });
  };
}

/**
 * One device's live data as server-sent events, opened with a stream ticket like
 * /stream/integrations: latest telemetry, attributes and downlinks, each sent again when it
 * changed (checked every second). See docs/api.md "Live device data".
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, textResponse } from '../openapi.ts';
import { serveSse, trackStreams } from '../sse.ts';
import { ticketsFor } from '../stream-tickets.ts';
import { plainValue } from './devices.ts';

const CHECK_EVERY_MS = 1000;

type Section = 'latest' | 'attributes' | 'downlinks';

export function deviceStreamRoutes(deps: ApiDeps): FastifyPluginAsync {
  const { store } = deps;
  return async (app) => {
    const tickets = ticketsFor(deps);
    const open = trackStreams(app);
    app.get<{ Params: { deviceName: string }; Querystring: { ticket?: string } }>('/stream/devices/:deviceName', {
      config: { access: 'ticket' },
      schema: {
        tags: ['devices'], security: [],
        summary: 'Server-sent events of one device: "latest" ({key: {ts, value}}), "attributes" ([{key, scope, value, updatedAt}]) and "downlinks" (newest first), each first at once and again when it changed; checked every second. Authenticated by ?ticket= from POST /stream/tickets.',
        params: Type.Object({ deviceName: Type.String() }),
        querystring: Type.Object({ ticket: Type.Optional(Type.String()) }),
        response: { 200: textResponse('text/event-stream', 'Server-sent events (see the summary)'), ...errors(404) },
      },
    }, async (req, reply) => {
      if (!tickets.redeem(req.query.ticket, deps.clock.now())) {
        throw new CloudbridgeError('UNAUTHORIZED', 'missing, used or expired stream ticket: get one with POST /api/v1/stream/tickets');
      }
      const device = await store.getEntity('DEVICE', req.params.deviceName);
      if (!device) throw new CloudbridgeError('NOT_FOUND', `device "${req.params.deviceName}" not found`);
      const read = async (): Promise<Record<Section, unknown>> => {
        const [latest, attributes, downlinks] = await Promise.all([
          store.latestTelemetry(device.id), store.listAttributes(device.id), store.listDownlinks({ deviceName: device.name, limit: 100 }),
        ]);
        return {
          latest: Object.fromEntries(Object.entries(latest).map(([k, p]) => [k, { ts: p.ts, value: plainValue(p.value) }])),
          attributes: attributes.map((a) => ({ key: a.key, scope: a.scope, value: plainValue(a.value), updatedAt: a.updatedAt })),
          downlinks,
        };
      };
      const sent = new Map<Section, string>();
      const frames = (data: Record<Section, unknown>): string => {
        let out = '';
        for (const section of ['latest', 'attributes', 'downlinks'] as const) {
          const json = JSON.stringify(data[section]);
          if (sent.get(section) === json) continue;
          sent.set(section, json);
          out += `event: ${section}\ndata: ${json}\n\n`;
        }
        return out;
      };
      serveSse(req, reply, { first: frames(await read()), check: async () => frames(await read()), everyMs: CHECK_EVERY_MS, open });
    });
  };
}

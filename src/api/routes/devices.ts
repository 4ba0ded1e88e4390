/** Devices, their telemetry (history and latest), attributes and downlinks. */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import type { KvValue } from '../../core/model.ts';
import type { Entity } from '../../store/types.ts';
import { EntityFields } from '../components.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, ref } from '../openapi.ts';
import { strictBody } from '../strict-body.ts';

const NameParams = Type.Object({ deviceName: Type.String() });
const Attribute = Type.Object({ key: Type.String(), scope: Type.Union([Type.Literal('client'), Type.Literal('shared'), Type.Literal('server')]), value: Type.Unknown(), updatedAt: Type.Integer() }, { additionalProperties: false });
type Named = { Params: { deviceName: string } };
const csv = (v: string | undefined): string[] | undefined => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

export const plainValue = (v: KvValue): unknown => v.value;

export function deviceRoutes(deps: ApiDeps): FastifyPluginAsync {
  const { store } = deps;
  const requireDevice = async (name: string): Promise<Entity> => {
    const d = await store.getEntity('DEVICE', name);
    if (!d) throw new CloudbridgeError('NOT_FOUND', `device "${name}" not found`);
    return d;
  };
  return async (app) => {
    const tags = ['devices'];
    app.get<{ Querystring: { type?: string; search?: string; limit?: number; offset?: number; kind?: 'DEVICE' | 'ASSET' } }>('/devices', {
      schema: { tags, summary: 'List devices (kind=ASSET for assets)', querystring: Type.Object({
        type: Type.Optional(Type.String()), search: Type.Optional(Type.String()), kind: Type.Optional(Type.Union([Type.Literal('DEVICE'), Type.Literal('ASSET')])),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
      }), response: { 200: ref('EntityPage') } },
    }, async (req) => store.listEntities({ kind: req.query.kind ?? 'DEVICE', ...(req.query.type ? { type: req.query.type } : {}), ...(req.query.search ? { search: req.query.search } : {}), limit: req.query.limit ?? 100, offset: req.query.offset ?? 0 }));
    app.get<Named>('/devices/:deviceName', {
      schema: { tags, params: NameParams, summary: 'A device with its telemetry keys', response: { 200: Type.Object({ ...EntityFields, telemetryKeys: Type.Array(Type.String()) }, { additionalProperties: false }), ...errors(404) } },
    }, async (req) => {
      const d = await requireDevice(req.params.deviceName);
      return { ...d, telemetryKeys: await store.telemetryKeys(d.id) };
    });
    app.get<Named & { Querystring: { keys?: string; from?: number; to?: number; limit?: number } }>('/devices/:deviceName/telemetry', {
      schema: { tags, summary: 'Telemetry history: {"key": [{"ts", "value"}]}, newest first', params: NameParams, querystring: Type.Object({
        keys: Type.Optional(Type.String({ description: 'Comma-separated keys (default: all)' })),
        from: Type.Optional(Type.Integer({ description: 'Epoch ms, inclusive' })), to: Type.Optional(Type.Integer({ description: 'Epoch ms, inclusive' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 100, description: 'Points per key' })),
      }), response: { 200: Type.Record(Type.String(), Type.Array(ref('TsValue'))), ...errors(404) } },
    }, async (req) => {
      const d = await requireDevice(req.params.deviceName);
      const keys = csv(req.query.keys);
      const series = await store.queryTelemetry({ entityId: d.id, ...(keys ? { keys } : {}), ...(req.query.from !== undefined ? { from: req.query.from } : {}), ...(req.query.to !== undefined ? { to: req.query.to } : {}), limit: req.query.limit ?? 100 });
      return Object.fromEntries(Object.entries(series).map(([k, pts]) => [k, pts.map((p) => ({ ts: p.ts, value: plainValue(p.value) }))]));
    });
    app.get<Named & { Querystring: { keys?: string } }>('/devices/:deviceName/telemetry/latest', {
      schema: { tags, summary: 'Latest value per key: {"key": {"ts", "value"}}', params: NameParams, querystring: Type.Object({ keys: Type.Optional(Type.String()) }), response: { 200: Type.Record(Type.String(), ref('TsValue')), ...errors(404) } },
    }, async (req) => {
      const d = await requireDevice(req.params.deviceName);
      const keys = csv(req.query.keys);
      const latest = await store.latestTelemetry(d.id, keys);
      return Object.fromEntries(Object.entries(latest).map(([k, p]) => [k, { ts: p.ts, value: plainValue(p.value) }]));
    });
    app.get<Named & { Querystring: { scope?: 'client' | 'shared' | 'server' } }>('/devices/:deviceName/attributes', {
      schema: { tags, summary: 'Attributes', params: NameParams, querystring: Type.Object({ scope: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('shared'), Type.Literal('server')])) }), response: { 200: Type.Array(Attribute), ...errors(404) } },
    }, async (req) => {
      const d = await requireDevice(req.params.deviceName);
      const attrs = await store.listAttributes(d.id, req.query.scope);
      return attrs.map((a) => ({ key: a.key, scope: a.scope, value: plainValue(a.value), updatedAt: a.updatedAt }));
    });
    app.post<Named & { Body: { msgType: string; msg?: unknown; metadata?: Record<string, string>; integration?: string } }>('/devices/:deviceName/downlink', {
      ...strictBody,
      schema: { tags, summary: 'Queue a downlink: encoded by the integration\'s downlink converter, then sent', params: NameParams, body: Type.Object({
        msgType: Type.String({ minLength: 1, description: 'e.g. RPC_CALL_FROM_SERVER_TO_DEVICE, ATTRIBUTES_UPDATED' }),
        msg: Type.Optional(Type.Unknown()), metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
        integration: Type.Optional(Type.String({ description: 'Integration name or id (default: the one that created the device)' })),
      }, { additionalProperties: false }), response: { 202: ref('Downlink', 'Queued: its status goes queued → sent | failed (GET /downlinks/{id})'), ...errors(404, 409, 422) } },
    }, async (req, reply) => {
      const d = await deps.downlinks.request(req.params.deviceName, { msgType: req.body.msgType, msg: req.body.msg ?? {}, ...(req.body.metadata ? { metadata: req.body.metadata } : {}), ...(req.body.integration ? { integration: req.body.integration } : {}) });
      return reply.status(202).send(d);
    });
    app.get<Named>('/devices/:deviceName/downlinks', { schema: { tags, params: NameParams, summary: 'The device\'s last 100 downlinks, newest first', response: { 200: Type.Array(ref('Downlink')) } } }, async (req) => store.listDownlinks({ deviceName: req.params.deviceName, limit: 100 }));
    app.get<{ Params: { id: string } }>('/downlinks/:id', { schema: { tags, summary: 'A downlink and its status', params: Type.Object({ id: Type.String() }), response: { 200: ref('Downlink'), ...errors(404) } } }, async (req) => {
      const d = await store.getDownlink(req.params.id);
      if (!d) throw new CloudbridgeError('NOT_FOUND', `downlink ${req.params.id} not found`);
      return d;
    });
  };
}

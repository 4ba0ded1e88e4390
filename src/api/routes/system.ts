/** /health (process alive), /ready (the store is reachable and takes writes; see docs/api.md), /metrics (Prometheus). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiDeps } from '../deps.ts';
import { textResponse } from '../openapi.ts';

const Nullable = (t: ReturnType<typeof Type.Integer>) => Type.Union([t, Type.Null()]);

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]),
  ready: Type.Boolean(),
  reason: Type.Optional(Type.String({ description: 'Why not ready.' })),
  store: Type.Object({
    kind: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
    reachable: Type.Boolean(), writable: Type.Boolean(),
    failure: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: 'Why commits fail: code, message, integration, since.' }),
    lastSuccessAt: Nullable(Type.Integer()), recoveredAt: Nullable(Type.Integer()),
    disk: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'SQLite: free space where the database is.' })),
    wal: Type.Optional(Type.Object({ bytes: Type.Integer(), boundBytes: Type.Integer() }, { additionalProperties: false })),
  }, { additionalProperties: false }),
  warnings: Type.Array(Type.String(), { description: 'Conditions to act on that do not make the instance unready (yet).' }),
  integrations: Type.Array(Type.Object({ name: Type.String(), state: Type.String() }, { additionalProperties: false })),
}, { additionalProperties: false });

export function systemRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const health = async () => ({ status: 'ok' });
    const ready = async (_req: unknown, reply: { status(code: number): unknown }) => {
      const report = await deps.readiness();
      if (!report.ready) reply.status(503);
      return report;
    };
    app.get('/health', { schema: { tags: ['system'], security: [], summary: 'Liveness: the process answers', response: { 200: Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false }) } } }, health);
    app.get('/api/v1/health', { schema: { hide: true } }, health);
    app.get('/ready', {
      schema: { tags: ['system'], security: [], summary: 'Readiness: the store answers and takes writes (docs/api.md)', response: { 200: Readiness, 503: { ...Readiness, description: 'Not ready: reason says why' } } },
    }, ready);
    app.get('/api/v1/ready', { schema: { hide: true } }, ready);
    const metrics = async (_req: unknown, reply: { header(k: string, v: string): unknown }) => {
      reply.header('content-type', deps.metrics.contentType);
      return deps.metrics.metrics();
    };
    app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics', response: { 200: textResponse('text/plain', 'Prometheus text exposition format') } } }, metrics);
    app.get('/api/v1/metrics', { schema: { hide: true } }, metrics);
  };
}

/** /health (process alive), /ready (the store is reachable and takes writes; see docs/api.md), /metrics (Prometheus). */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../deps.ts';

export function systemRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const health = async () => ({ status: 'ok' });
    const ready = async (_req: unknown, reply: { status(code: number): unknown }) => {
      const report = await deps.readiness();
      if (!report.ready) reply.status(503);
      return report;
    };
    app.get('/health', { schema: { tags: ['system'], security: [] } }, health);
    app.get('/api/v1/health', { schema: { hide: true } }, health);
    app.get('/ready', { schema: { tags: ['system'], security: [] } }, ready);
    app.get('/api/v1/ready', { schema: { hide: true } }, ready);
    const metrics = async (_req: unknown, reply: { header(k: string, v: string): unknown }) => {
      reply.header('content-type', deps.metrics.contentType);
      return deps.metrics.metrics();
    };
    app.get('/metrics', { schema: { tags: ['system'] } }, metrics);
    app.get('/api/v1/metrics', { schema: { hide: true } }, metrics);
  };
}

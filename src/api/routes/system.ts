/** /health (process alive), /ready (store reachable), /metrics (Prometheus). */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../deps.ts';

export function systemRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const health = async () => ({ status: 'ok' });
    const ready = async (_req: unknown, reply: { status(code: number): unknown }) => {
      const ok = await deps.store.ping().catch(() => false);
      const integrations = deps.manager.all().map((r) => ({ name: r.config.name, state: r.status().state }));
      if (!ok) reply.status(503);
      return { status: ok ? 'ready' : 'store unavailable', store: ok, integrations };
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

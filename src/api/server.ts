/**
 * The REST API (Fastify) under /api/v1. Every route but /health and /ready needs
 * `Authorization: Bearer <token>`; mutations need the admin role. OpenAPI at /api/v1/openapi.json.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { CloudbridgeError } from '../core/errors.ts';
import { bearer } from './bearer.ts';
import type { ApiDeps } from './deps.ts';
import { registerComponents } from './components.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { addSharedErrors, componentNames } from './openapi.ts';
import { auditRoutes } from './routes/audit.ts';
import { converterRoutes } from './routes/converters.ts';
import { deadLetterBulkRoutes } from './routes/dead-letter-bulk.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { deviceRoutes } from './routes/devices.ts';
import { deviceStreamRoutes } from './routes/device-stream.ts';
import { eventStreamRoutes } from './routes/event-stream.ts';
import { eventRoutes } from './routes/events.ts';
import { forwarderRoutes } from './routes/forwarders.ts';
import { forwarderStreamRoutes } from './routes/forwarder-stream.ts';
import { importRoutes } from './routes/import.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { streamRoutes } from './routes/stream.ts';
import { systemRoutes } from './routes/system.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { uiRoutes } from './routes/ui.ts';

const PUBLIC = new Set(['/health', '/ready', '/api/v1/health', '/api/v1/ready']);

export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  // With server.tls: HTTPS (the instance's type is the same for the routes; only the listener differs).
  const app = (deps.tls
    ? Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024, https: deps.tls })
    : Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024 })) as FastifyInstance;
  // Response schemas document the answers (checked by test/e2e/openapi-contract); they never reshape them.
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));
  addSharedErrors(app, { isPublic: (url) => PUBLIC.has(url) });
  registerComponents(app, deps.connectors);
  await app.register(swagger, {
    refResolver: componentNames,
    openapi: {
      info: { title: 'Cloudbridge API', version: '1', description: 'Integrations, converters, devices, telemetry, events, dead letters and downlinks.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  app.setErrorHandler(errorHandler(deps.log));
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0] ?? '';
    const access = req.routeOptions.config?.access;
    if (req.is404 || PUBLIC.has(path) || path === '/' || path === '/favicon.ico' || path.startsWith('/ui') || access === 'ticket') return;
    const role = await deps.auth.roleOf(bearer(req));
    if (!role) throw new CloudbridgeError('UNAUTHORIZED', 'missing or invalid token: send "Authorization: Bearer <token>"');
    if (role !== 'admin' && req.method !== 'GET' && req.method !== 'HEAD' && access !== 'any-role') {
      throw new CloudbridgeError('FORBIDDEN', 'this token is read-only (viewer); use an admin token');
    }
  });
  await app.register(systemRoutes(deps));
  await app.register(uiRoutes());
  await app.register(async (api) => {
    await api.register(integrationRoutes(deps));
    await api.register(converterRoutes(deps));
    await api.register(deviceRoutes(deps));
    await api.register(eventRoutes(deps));
    await api.register(eventStreamRoutes(deps));
    await api.register(deadLetterRoutes(deps));
    await api.register(deadLetterBulkRoutes(deps));
    await api.register(forwarderRoutes(deps));
    await api.register(forwarderStreamRoutes(deps));
    await api.register(importRoutes(deps));
    await api.register(streamRoutes(deps));
    await api.register(deviceStreamRoutes(deps));
    await api.register(tokenRoutes(deps));
    await api.register(auditRoutes(deps));
    api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }, { prefix: '/api/v1' });
  await app.ready();
  return app;
}

/** Serves the web UI (static files from web/). */
import type { FastifyPluginAsync } from 'fastify';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const WEB_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

export function uiRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui/'));
    app.get<{ Params: { '*': string } }>('/ui/*', { schema: { hide: true } }, async (req, reply) => {
      const rel = req.params['*'] || 'index.html';
      if (rel.includes('..') || !/^[\w./-]+$/.test(rel)) return reply.status(404).send();
      try {
        const body = await readFile(WEB_DIR + rel);
        return reply.header('content-type', TYPES[rel.split('.').pop() ?? ''] ?? 'application/octet-stream').send(body);
      } catch {
        return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no UI file ${rel}` } });
      }
    });
  };
}

/**
 * Serves the web UI: the bundle `npm run build:ui` writes to web/dist at /ui/ (a page saying how to
 * build it when it is missing), and the classic console (web/classic) at /ui/classic/. Files are
 * compressed and sent with an ETag (static-files.ts): index.html and the classic console are
 * revalidated on every load; the build's other files carry a content hash in their name
 * (`app-<hash>.js`, `chunks/<name>-<hash>.js`), so a browser keeps them without asking again.
 */
import type { FastifyPluginAsync } from 'fastify';
import { fileURLToPath } from 'node:url';
import { CloudbridgeError } from '../../core/errors.ts';
import { StaticFiles } from '../static-files.ts';

const WEB_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml', map: 'application/json', txt: 'text/plain; charset=utf-8' };

/** A name with esbuild's content hash (8 base32 characters): its content never changes. */
const HASHED = /-[A-Z2-7]{8}\.(?:js|css)$/;
const REVALIDATE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cloudbridge: UI not built</title></head>
<body><h1>The Cloudbridge web UI is not built</h1><p>Run <code>npm run build:ui</code> (or start with <code>scripts/cb</code>, which builds it) and reload this page.
The API at <code>/api/v1</code> works without it; the classic console is at <a href="/ui/classic/">/ui/classic/</a>.</p></body></html>`;

/** `webDir`: the folder holding dist/ and classic/ (tests point it elsewhere). */
export function uiRoutes(webDir: string = WEB_DIR): FastifyPluginAsync {
  const files = new StaticFiles();
  return async (app) => {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui/'));
    // Browsers ask for it on every page; the UI has no icon, so: no content (never a 401 or 404).
    app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) => reply.status(204).header('cache-control', 'max-age=86400').send());
    app.get<{ Params: { '*': string } }>('/ui/*', { schema: { hide: true } }, async (req, reply) => {
      const rel = req.params['*'] || 'index.html';
      const missing = () => reply.status(404).send({ error: new CloudbridgeError('NOT_FOUND', `no UI file ${rel}`, { path: `/ui/${rel}` }).toJSON() });
      if (rel.includes('..') || !/^[\w./-]+$/.test(rel)) return missing();
      const file = rel.startsWith('classic/') ? rel.endsWith('/') ? `${rel}index.html` : rel : `dist/${rel}`;
      try {
        const answer = await files.get(webDir + file, { acceptEncoding: req.headers['accept-encoding'], ifNoneMatch: req.headers['if-none-match'] });
        reply.header('content-type', TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream')
          .header('cache-control', file.startsWith('dist/') && HASHED.test(file) ? IMMUTABLE : REVALIDATE).header('etag', answer.etag).header('vary', 'accept-encoding');
        if (answer.encoding !== 'identity') reply.header('content-encoding', answer.encoding);
        return answer.status === 304 ? reply.status(304).send() : reply.send(answer.body);
      } catch {
        if (rel === 'index.html') return reply.status(503).header('content-type', TYPES.html).send(NOT_BUILT);
        return missing();
      }
    });
  };
}

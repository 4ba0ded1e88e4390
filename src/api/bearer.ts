/** The token of an `Authorization: Bearer <token>` header, and the route config the auth hook reads. */
import type { FastifyRequest } from 'fastify';

export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m?.[1]?.trim();
}

/**
 * `config: { access }` of a route, for the auth hook: `ticket` routes check a stream ticket
 * themselves (no bearer token); `any-role` routes take a POST from a viewer token too.
 */
export type RouteAccess = 'ticket' | 'any-role';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

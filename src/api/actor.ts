/** Who sends a request: the bearer token's name (the audit log's actor) and the admin-only check. */
import type { FastifyRequest } from 'fastify';
import { apiActor, type Actor } from '../app/audit-log.ts';
import { CloudbridgeError } from '../core/errors.ts';
import { bearer } from './bearer.ts';
import type { ApiDeps } from './deps.ts';

/** The actor of a change made by this request: its token's name (the auth hook let the token in). */
export async function actorOf(deps: Pick<ApiDeps, 'auth'>, req: FastifyRequest): Promise<Actor> {
  const who = await deps.auth.identify(bearer(req));
  if (!who) throw new CloudbridgeError('UNAUTHORIZED', 'missing or invalid token: send "Authorization: Bearer <token>"');
  return apiActor(who.name);
}

/** FORBIDDEN unless the request's token is an admin token; `what` completes "only an admin token may ...". */
export async function requireAdmin(deps: Pick<ApiDeps, 'auth'>, req: FastifyRequest, what: string): Promise<void> {
  if ((await deps.auth.identify(bearer(req)))?.role !== 'admin') throw new CloudbridgeError('FORBIDDEN', `only an admin token may ${what}`);
}

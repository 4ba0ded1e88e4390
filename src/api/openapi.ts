/**
 * The OpenAPI document's shared parts (docs/api.md "OpenAPI"): the components every route refers
 * to by `$ref` (the error envelope `Error` first), the error responses a route answers, and the
 * onRoute hook that adds those every route shares (401 without a token, 403 for a viewer's
 * mutation, 400 for a body or query that is invalid or not JSON, 500, and 503 while the store is
 * unavailable or the service shuts down). Response schemas document what the
 * handlers send; the test/e2e/openapi-contract test checks every real answer against them.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';

export const ErrorSpec = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'A code of docs/errors.md, e.g. CONFIG_INVALID, NOT_FOUND.' }),
    message: Type.String({ description: 'What went wrong and the fix; names the field for invalid input; never a secret.' }),
    retryable: Type.Boolean({ description: 'Whether the same request may succeed later unchanged.' }),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'Code-specific details, e.g. field and problems for CONFIG_INVALID.' }),
  }, { additionalProperties: false }),
}, { $id: 'Error', additionalProperties: false, description: 'The error envelope of every 4xx and 5xx answer.' });

/** `{$ref}` to a component registered with `app.addSchema` (OpenAPI: #/components/schemas/<id>). */
export function ref(id: string, description?: string): TSchema {
  return Type.Unsafe({ $ref: `${id}#`, ...(description ? { description } : {}) });
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 422 | 500 | 503;

const ERROR_MEANING: Record<ErrorStatus, string> = {
  400: 'Invalid input: CONFIG_INVALID (or a converter error code) naming the field and the fix.',
  401: 'UNAUTHORIZED: missing or invalid token (or stream ticket).',
  403: 'FORBIDDEN: the token\'s role does not allow this (a viewer token on a mutation).',
  404: 'NOT_FOUND: the object named in the path does not exist.',
  409: 'CONFLICT (still referenced, the last admin token, a name taken) or INTEGRATION_NOT_RUNNING.',
  422: 'DOWNLINK_UNSUPPORTED: no downlink converter, or the connector sends no downlinks.',
  500: 'INTERNAL: an unexpected error (the log has the details).',
  503: 'STORE_UNAVAILABLE or SHUTTING_DOWN: try again later.',
};

/** The error responses of a route, each the `Error` envelope with what the status means. */
export function errors(...statuses: ErrorStatus[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ref('Error', ERROR_MEANING[s])]));
}

/** A 204 answer without a body. */
export const noContent = (description: string): TSchema => Type.Unsafe({ type: 'null', description });

/** A 200 answer that is not JSON (server-sent events, Prometheus text). */
export const textResponse = (mediaType: string, description: string): TSchema =>
  Type.Unsafe({ description, content: { [mediaType]: { schema: { type: 'string' } } } });

/** What a success status means, for the responses that do not say more. */
const SUCCESS: Record<string, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted: carried out later', 204: 'Done; no body' };

/** Route options the auth hook reads (server.ts), to tell which shared errors a route can answer. */
interface SharedErrorsOptions {
  /** Paths served without a token. */
  isPublic: (url: string) => boolean;
}

/**
 * Adds to every documented route the errors all routes share: 401 and 503 (unless public), 403
 * for mutations of admin-only routes, 400 where a body or query is read, and 500.
 * Must be added before the routes are registered (and before @fastify/swagger reads them).
 */
export function addSharedErrors(app: FastifyInstance, opts: SharedErrorsOptions): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as (RouteOptions['schema'] & { hide?: boolean; response?: Record<string, unknown> }) | undefined;
    if (!schema || schema.hide) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const access = route.config?.access;
    const statuses: ErrorStatus[] = [500];
    if (!opts.isPublic(route.url)) statuses.push(401, 503);
    if (!opts.isPublic(route.url) && access === undefined && methods.some((m) => m !== 'GET' && m !== 'HEAD')) statuses.push(403);
    if (schema.body || schema.querystring || methods.some((m) => m === 'POST' || m === 'PUT')) statuses.push(400);
    const response: Record<string, unknown> = { ...errors(...statuses), ...schema.response };
    for (const [status, meaning] of Object.entries(SUCCESS)) {
      const r = response[status] as { description?: string } | undefined;
      if (r && !r.description) response[status] = { ...r, description: meaning };
    }
    schema.response = response;
  });
}

/** The `refResolver` of @fastify/swagger: components keep the `$id` they were added with. */
export const componentNames = {
  buildLocalReference(json: Record<string, unknown>, _baseUri: unknown, _fragment: unknown, i: number): string {
    return typeof json.$id === 'string' ? json.$id : `def-${i}`;
  },
};

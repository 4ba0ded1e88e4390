/** Maps errors to HTTP responses: `{error: {code, message, retryable, details}}`. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CloudbridgeError, type ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  CONFIG_INVALID: 400, CONVERTER_COMPILE: 400, CONVERTER_OUTPUT: 400, PAYLOAD_INVALID: 400,
  UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409,
  DOWNLINK_UNSUPPORTED: 422, INTEGRATION_NOT_RUNNING: 409,
  STORE_UNAVAILABLE: 503, SHUTTING_DOWN: 503,
};

export function httpStatusOf(err: CloudbridgeError): number {
  return STATUS[err.code] ?? 500;
}

/**
 * Unknown routes: 404 in the error envelope naming the method and path (query left out), with or
 * without a token (the auth hook lets them through, so probing paths tells nothing more than 404).
 */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  const path = req.url.split('?')[0] ?? '';
  const e = new CloudbridgeError('NOT_FOUND', `no route ${req.method} ${path}: the API is under /api/v1 (routes in /api/v1/openapi.json), the web UI under /ui/`, { path });
  void reply.status(404).send({ error: e.toJSON() });
}

export function errorHandler(log: Logger) {
  return (err: FastifyError | Error, _req: FastifyRequest, reply: FastifyReply): void => {
    if (err instanceof CloudbridgeError) {
      void reply.status(httpStatusOf(err)).send({ error: err.toJSON() });
      return;
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const problems = fe.validation.map((v) => ({ field: `${fe.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}`, message: v.message ?? 'invalid' }));
      const e = new CloudbridgeError('CONFIG_INVALID', `invalid request: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { field: problems[0]?.field, problems });
      void reply.status(400).send({ error: e.toJSON() });
      return;
    }
    if (fe.statusCode && fe.statusCode < 500) {
      void reply.status(fe.statusCode).send({ error: { code: fe.statusCode === 404 ? 'NOT_FOUND' : 'CONFIG_INVALID', message: fe.message, retryable: false, details: {} } });
      return;
    }
    log.error({ err: err.message }, 'unhandled API error');
    void reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error; see the service log', retryable: true, details: {} } });
  };
}

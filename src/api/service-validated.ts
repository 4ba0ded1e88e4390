/**
 * Route options for bodies that the ConfigService validates itself (one path for the API and the
 * config file, with field-named errors that never print a secret): the schemas stay in the route
 * for the OpenAPI document, but Fastify neither validates the body with them (its validator
 * would silently drop unknown properties instead of refusing them, and words errors differently)
 * nor serializes the response with them (the response is sent as the service returns it).
 */
import type { FastifySchemaCompiler } from 'fastify';

const passThrough: FastifySchemaCompiler<unknown> = () => (data: unknown) => ({ value: data });

export const serviceValidated = {
  validatorCompiler: passThrough,
  serializerCompiler: () => (data: unknown): string => JSON.stringify(data),
};

/**
 * Route options for bodies validated like the ones the ConfigService checks: TypeBox against the
 * route's schema, answered as CONFIG_INVALID with `details.problems` (one per field, "did you
 * mean" for an unknown field, the allowed values of an enum). Fastify's own validator would
 * coerce types (`script: 42` becomes "42") and silently drop unknown properties. Schema defaults
 * are applied. Path parameters and query strings are converted from their text as before.
 */
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseWithSchema } from '../app/validate.ts';

const compile: FastifySchemaCompiler<FastifySchema> = ({ schema: routeSchema, httpPart }) => (data: unknown) => {
  const schema = routeSchema as TSchema;
  try {
    const given = httpPart === 'body' ? data : Value.Convert(schema, data);
    return { value: parseWithSchema(schema, given, httpPart === 'body' ? '' : httpPart ?? '') };
  } catch (err) {
    return { error: err as Error };
  }
};

export const strictBody = { validatorCompiler: compile };

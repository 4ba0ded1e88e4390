/**
 * A converter reference that names no converter (the API, and the plan of a config file at start
 * and reload): the field, the integration and the closest converter name, when one is close.
 */
import { CloudbridgeError } from '../core/errors.ts';
import { closestName } from './did-you-mean.ts';
import type { FieldProblem } from './validate.ts';

/** The problem of a converter reference that names no converter: the field, the integration and the closest name. */
export function converterNotFound(wanted: string, field: string, integration: string | undefined, names: Iterable<string>, id?: string): FieldProblem {
  const close = closestName(wanted, names);
  const of = integration ? ` (integration "${integration}")` : '';
  const fix = close ? `did you mean "${close}"?` : 'name an existing converter, or create it first (converters: in the config file, or POST /api/v1/converters)';
  return { field, message: `converter "${wanted}"${id ? ` (id ${id})` : ''} not found${of}; ${fix}` };
}

/** NOT_FOUND listing the problems, each as `field: message`. */
export function referencesError(problems: readonly FieldProblem[]): CloudbridgeError {
  const lines = problems.map((p) => `${p.field}: ${p.message}`);
  return new CloudbridgeError('NOT_FOUND', lines.join('; '), { field: problems[0]?.field, problems: [...problems] });
}

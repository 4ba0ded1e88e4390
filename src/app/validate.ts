/**
 * Schema validation with errors a user can act on: every problem names its field, what was
 * expected and what was given. Used by the config file loader and the API alike.
 */
import type { TSchema, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ConnectorDefinition } from '../core/connector.ts';
import { CloudbridgeError } from '../core/errors.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

function pointerToField(prefix: string, pointer: string): string {
  const parts = pointer.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = prefix;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** Lists problems of `value` against `schema` (after defaults). Secret values are never echoed. */
export function schemaProblems(schema: TSchema, value: unknown, prefix = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const field = pointerToField(prefix, e.path);
    if (seen.has(field)) continue;
    seen.add(field);
    const secret = (e.schema as { secret?: boolean }).secret === true;
    const allowed = (e.schema as { enum?: unknown[]; anyOf?: Array<{ const?: unknown }> });
    const choices = allowed.anyOf?.every((a) => 'const' in a) ? ` (one of: ${allowed.anyOf.map((a) => JSON.stringify(a.const)).join(', ')})` : '';
    const given = secret ? '' : `; got ${describeValue(e.value)}`;
    const hint = (e.schema as { description?: string }).description;
    problems.push({ field, message: `${e.message}${choices}${given}${hint && e.value === undefined ? ` — ${hint}` : ''}` });
  }
  return problems;
}

/** Applies defaults, then validates; throws CONFIG_INVALID listing every problem. */
export function parseWithSchema<S extends TSchema>(schema: S, value: unknown, prefix = ''): Static<S> {
  const withDefaults = Value.Default(schema, structuredClone(value ?? {}));
  const problems = schemaProblems(schema, withDefaults, prefix);
  if (problems.length > 0) throw configError(problems);
  return withDefaults as Static<S>;
}

export function configError(problems: FieldProblem[]): CloudbridgeError {
  const lines = problems.map((p) => `${p.field}: ${p.message}`);
  return new CloudbridgeError('CONFIG_INVALID', `invalid configuration: ${lines.join('; ')}`, {
    field: problems[0]?.field, problems,
  });
}

/** Runs a connector's own `validate()`, reporting its fields under `prefix` (e.g. `integrations[0].config`). */
export async function runConnectorValidate(def: ConnectorDefinition, config: unknown, prefix: string): Promise<string[]> {
  if (!def.validate) return [];
  try {
    return await def.validate(config as Static<typeof def.configSpec>);
  } catch (err) {
    if (err instanceof CloudbridgeError && err.code === 'CONFIG_INVALID') {
      const field = err.details.field ? `${prefix}.${err.details.field}` : prefix;
      const message = err.details.field && err.message.startsWith(`${err.details.field}:`) ? err.message.slice(err.details.field.length + 1).trim() : err.message;
      throw configError([{ field, message }]);
    }
    throw err;
  }
}

/**
 * Schema validation with errors a user can act on: every problem names its field, what was
 * expected and what was given. Used by the config file loader and the API alike.
 */
import type { TSchema, Static } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import type { ConnectorDefinition } from '../core/connector.ts';
import { CloudbridgeError } from '../core/errors.ts';
import { kindOf } from '../converters/describe-value.ts';
import { closestName } from './did-you-mean.ts';
import { looksSecret, pathLooksSecret } from './secret-names.ts';
import { collectSecrets, REDACTED } from './secrets.ts';

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

/**
 * What an error message may say about a given value. Values are printed only when they are scalars
 * (a number, a short string...) of a field that is known to the schema, not marked `secret: true`
 * and whose name (or any parent's name) does not look secret (see secret-names.ts). Objects and
 * arrays are only named ("an object"), because they may hold secrets further down.
 */
function describeValue(v: unknown, hidden: boolean): string {
  if (v === undefined) return 'nothing';
  if (v === null || typeof v === 'object') return kindOf(v);
  if (hidden) return `${kindOf(v)} (value not shown)`;
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The fix for an unknown property: the closest known name, else the list of allowed names. */
function unknownPropertyFix(name: string, objectSchema: TSchema, present: unknown): string {
  const properties = (objectSchema as { properties?: Record<string, { readOnly?: boolean }> }).properties ?? {};
  const known = Object.keys(properties);
  if (known.length === 0) return 'unknown property; remove it';
  const best = closestName(name, known);
  if (best) return `unknown property; did you mean ${best}?`;
  const given = present && typeof present === 'object' ? Object.keys(present) : [];
  const missing = known.filter((k) => !properties[k]?.readOnly && !given.includes(k));
  return missing.length > 0 ? `unknown property; remove it, or use one of: ${missing.join(', ')}` : 'unknown property; remove it';
}

/**
 * True when the schema wants an object or array. A scalar given there is often a mapping typed
 * without the space after the colon (`tls: passphrase:s3cret` is the string "passphrase:s3cret"),
 * so it may hold a secret under a name the schema never sees.
 */
function expectsStructure(schema: TSchema): boolean {
  const s = schema as { type?: unknown; anyOf?: TSchema[]; oneOf?: TSchema[] };
  if (s.type === 'object' || s.type === 'array') return true;
  return [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(expectsStructure);
}

/** The value at a TypeBox error path (`/config/tls`), or undefined. */
function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const p of pointer.split('/').filter(Boolean).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** The allowed values of an enum (a union of literals), or undefined for any other schema. */
function enumValues(schema: TSchema): unknown[] | undefined {
  const s = schema as { anyOf?: Array<{ const?: unknown }> };
  return s.anyOf && s.anyOf.length > 0 && s.anyOf.every((a) => 'const' in a) ? s.anyOf.map((a) => a.const) : undefined;
}

/**
 * Lists problems of `value` against `schema` (after defaults). No message ever prints the value
 * of an unknown property, of a `secret: true` field, of a field whose name (or a parent's name)
 * looks secret, or of a scalar given where an object or array belongs; unknown properties get the
 * closest known name as the fix.
 */
export function schemaProblems(schema: TSchema, value: unknown, prefix = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const field = pointerToField(prefix, e.path);
    if (seen.has(field)) continue;
    seen.add(field);
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      const name = e.path.split('/').pop()?.replace(/~1/g, '/').replace(/~0/g, '~') ?? '';
      problems.push({ field, message: unknownPropertyFix(name, e.schema, valueAt(value, e.path.split('/').slice(0, -1).join('/'))) });
      continue;
    }
    const hidden = (e.schema as { secret?: boolean }).secret === true || pathLooksSecret(pointerToField('', e.path)) || expectsStructure(e.schema);
    const given = `; got ${describeValue(e.value, hidden)}`;
    const hint = (e.schema as { description?: string }).description;
    const choices = enumValues(e.schema);
    if (choices) {
      const close = typeof e.value === 'string' && !hidden ? closestName(e.value, choices.filter((c): c is string => typeof c === 'string')) : undefined;
      problems.push({ field, message: `must be one of: ${choices.map((c) => JSON.stringify(c)).join(', ')}${given}${close ? `; did you mean ${JSON.stringify(close)}?` : ''}` });
      continue;
    }
    // A schema may say what it expects in words (`expected`), instead of "Expected union value".
    const expected = (e.schema as { expected?: string }).expected;
    problems.push({ field, message: `${expected ?? e.message}${given}${hint && e.value === undefined ? ` — ${hint}` : ''}` });
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

/**
 * The secret values of a config, to scrub from messages: every `secret: true` field (4 characters
 * or more, as the log scrubber), and every string of 8 or more characters under a name that looks
 * secret (see secret-names.ts).
 */
export function secretValuesOf(spec: TSchema, config: unknown): string[] {
  const found = new Set(collectSecrets(spec, config).filter((v) => v.length >= 4));
  const walk = (v: unknown, secretPath: boolean): void => {
    if (typeof v === 'string') {
      if (secretPath && v.length >= 8) found.add(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, secretPath);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, secretPath || looksSecret(k));
    }
  };
  walk(config, false);
  return [...found].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of a secret value in `text` with "***". */
export function scrubValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * Runs a connector's own `validate()`, reporting its fields under `prefix` (e.g.
 * `integrations[0].config`). A secret value of the config that a connector's message quotes by
 * mistake is replaced with "***" in the error and in the warnings.
 */
export async function runConnectorValidate(def: Pick<ConnectorDefinition, 'configSpec' | 'validate'>, config: unknown, prefix: string): Promise<string[]> {
  if (!def.validate) return [];
  const secrets = secretValuesOf(def.configSpec, config);
  try {
    return (await def.validate(config as Static<typeof def.configSpec>)).map((w) => scrubValues(w, secrets));
  } catch (err) {
    if (err instanceof CloudbridgeError && err.code === 'CONFIG_INVALID') {
      const field = err.details.field ? `${prefix}.${err.details.field}` : prefix;
      const message = err.details.field && err.message.startsWith(`${err.details.field}:`) ? err.message.slice(err.details.field.length + 1).trim() : err.message;
      throw configError([{ field, message: scrubValues(message, secrets) }]);
    }
    throw err;
  }
}

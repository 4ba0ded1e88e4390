/**
 * The integration form: one JSON Schema (the connector's config spec under `config`), its uiSchema
 * (secret fields write-only), form data to and from the API, and the API's field errors placed at
 * the form's fields.
 */
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import type { ApiProblem } from '../api.ts';
import type { ConnectorType, ConverterSummary, IntegrationView } from './types.ts';

type Json = Record<string, unknown>;

export interface IntegrationForm {
  name?: string;
  enabled?: boolean;
  uplinkConverter?: string;
  downlinkConverter?: string;
  allowCreateDevices?: boolean;
  metadata?: Record<string, string>;
  config?: Json;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The spec as the form shows it: an anyOf of constants (e.g. protocolVersion 4 | 5) becomes an enum. */
export function formSchema(spec: unknown): unknown {
  if (Array.isArray(spec)) return spec.map(formSchema);
  if (!isObject(spec)) return spec;
  const out: Json = {};
  for (const [k, v] of Object.entries(spec)) out[k] = k === 'properties' && isObject(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, formSchema(s)])) : formSchema(v);
  const anyOf = spec.anyOf;
  if (Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every((o) => isObject(o) && 'const' in o)) {
    delete out.anyOf;
    out.enum = anyOf.map((o) => (o as Json).const);
    out.type = (anyOf[0] as Json).type ?? typeof (anyOf[0] as Json).const;
  }
  return out;
}

/** uiSchema for the secret fields (`secret: true`) of a spec: the write-only secret widget. */
export function secretUi(spec: unknown): UiSchema {
  if (!isObject(spec)) return {};
  if (spec.secret === true) return { 'ui:widget': 'secret' };
  const ui: UiSchema = {};
  if (isObject(spec.properties)) {
    for (const [k, s] of Object.entries(spec.properties)) {
      const child = secretUi(s);
      if (Object.keys(child).length > 0) ui[k] = child;
    }
  }
  if (isObject(spec.items)) {
    const child = secretUi(spec.items);
    if (Object.keys(child).length > 0) ui.items = child;
  }
  return ui;
}

export function integrationSchema(connector: ConnectorType, converters: ConverterSummary[]): RJSFSchema {
  const names = (type: string): string[] => converters.filter((c) => c.type === type).map((c) => c.name);
  return {
    type: 'object',
    required: ['name', 'uplinkConverter', 'config'],
    properties: {
      name: { type: 'string', title: 'Name', minLength: 1, maxLength: 128, description: 'Unique name (no slashes).' },
      enabled: { type: 'boolean', title: 'Enabled', default: true, description: 'Run the integration.' },
      uplinkConverter: { type: 'string', title: 'Uplink converter', enum: names('uplink'), description: 'Turns each raw message into devices and data.' },
      downlinkConverter: {
        type: 'string', title: 'Downlink converter', default: '', description: 'Turns commands into messages for the cloud (optional).',
        oneOf: [{ const: '', title: '(none)' }, ...names('downlink').map((n) => ({ const: n, title: n }))],
      },
      allowCreateDevices: { type: 'boolean', title: 'Create devices on their first uplink', default: true },
      config: { ...(formSchema(connector.configSpec) as Json), title: `Connection: ${connector.title}` },
      metadata: { type: 'object', title: 'Metadata', description: 'Added to every uplink\'s metadata.', additionalProperties: { type: 'string' } },
    },
  } as RJSFSchema;
}

export function integrationUi(connector: ConnectorType, readonly: boolean): UiSchema {
  return {
    'ui:order': ['name', 'enabled', 'uplinkConverter', 'downlinkConverter', 'allowCreateDevices', 'config', 'metadata'],
    'ui:readonly': readonly,
    config: secretUi(connector.configSpec),
  };
}

export function formDataOf(view: IntegrationView): IntegrationForm {
  return {
    name: view.name, enabled: view.enabled, uplinkConverter: view.uplinkConverter?.name ?? '',
    downlinkConverter: view.downlinkConverter?.name ?? '', allowCreateDevices: view.allowCreateDevices, metadata: view.metadata, config: view.config,
  };
}

/** The POST/PUT body: secrets still "***" keep their stored value (docs/api.md GET-modify-PUT). */
export function bodyOf(form: IntegrationForm, type: string, debug?: IntegrationView['debug']): Json {
  return {
    name: form.name, type, enabled: form.enabled ?? true, uplinkConverter: form.uplinkConverter,
    downlinkConverter: form.downlinkConverter ? form.downlinkConverter : null, allowCreateDevices: form.allowCreateDevices ?? true,
    metadata: form.metadata ?? {}, config: form.config ?? {}, ...(debug ? { debug: { failures: debug.failures } } : {}),
  };
}

/** `config.topicFilters[0].filter` → ['config', 'topicFilters', '0', 'filter']. */
export function fieldPath(field: string): string[] {
  return field.replace(/^body\./, '').split(/[.[\]]/).filter(Boolean);
}

const FORM_FIELDS = new Set(['name', 'enabled', 'uplinkConverter', 'downlinkConverter', 'allowCreateDevices', 'config', 'metadata']);

/** The API's problems as the form's extra errors, and those no form field (of `fields`) shows (e.g. `type`). */
export function placeErrors(problems: ApiProblem[], fields: ReadonlySet<string> = FORM_FIELDS): { errors: ErrorSchema; elsewhere: ApiProblem[] } {
  const errors: Json = {};
  const elsewhere: ApiProblem[] = [];
  for (const p of problems) {
    const path = fieldPath(p.field);
    if (!path[0] || !fields.has(path[0])) {
      elsewhere.push(p);
      continue;
    }
    let node = errors;
    for (const key of path) {
      if (!isObject(node[key])) node[key] = {};
      node = node[key] as Json;
    }
    node.__errors = [...((node.__errors as string[] | undefined) ?? []), p.message];
  }
  return { errors: errors as ErrorSchema, elsewhere };
}

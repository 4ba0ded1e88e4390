/**
 * The forwarder form: one JSON Schema (name, enabled, the integrations it forwards, and the type's
 * config spec under `config`, secrets write-only as in the integration form), and form data to
 * and from the API (`integrations`: none ticked means "all").
 */
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { formSchema, secretUi } from '../integrations/form-schema.ts';
import type { ForwarderType, ForwarderView } from './types.ts';

export interface ForwarderForm {
  name?: string;
  enabled?: boolean;
  integrations?: string[];
  config?: Record<string, unknown>;
}

/** The top-level fields the form shows (the API's problems elsewhere are listed above the form). */
export const FORWARDER_FIELDS: ReadonlySet<string> = new Set(['name', 'enabled', 'integrations', 'config']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An optional choice between objects (e.g. `credentials`: x509 or basic) gets a first option
 * "(none)", and each option the name of its `type` constant: else the form would pick the first
 * option and send it. Null (none) is dropped again from the body (`withoutNulls`).
 */
export function optionalChoices(spec: unknown): unknown {
  if (!isObject(spec)) return spec;
  if (!isObject(spec.properties)) return spec;
  const required = new Set(Array.isArray(spec.required) ? spec.required as string[] : []);
  const properties = Object.fromEntries(Object.entries(spec.properties).map(([name, prop]) => {
    if (!isObject(prop)) return [name, prop];
    const options = prop.anyOf ?? prop.oneOf;
    if (required.has(name) || !Array.isArray(options) || !options.every((o) => isObject(o) && o.type === 'object')) return [name, optionalChoices(prop)];
    const named = (options as Json[]).map((o) => {
      const type = isObject(o.properties) && isObject(o.properties.type) ? o.properties.type.const : undefined;
      return { ...o, title: typeof type === 'string' ? type : o.title };
    });
    const { anyOf: _a, oneOf: _o, ...rest } = prop;
    return [name, { ...rest, anyOf: [{ title: '(none)', type: 'null' }, ...named] }];
  }));
  return { ...spec, properties };
}

/**
 * The spec without its defaults: the form leaves a setting it was not given empty, so the server
 * applies its default (nothing is pinned), and an optional object such as `tls`, which turns TLS on
 * by being present, is not created by its fields' defaults. The defaults are shown as placeholders.
 */
export function withoutDefaults(spec: unknown): unknown {
  if (Array.isArray(spec)) return spec.map(withoutDefaults);
  if (!isObject(spec)) return spec;
  const out: Json = {};
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'default') continue;
    out[k] = k === 'properties' && isObject(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, withoutDefaults(s)])) : withoutDefaults(v);
  }
  return out;
}

/** The value without properties set to null (an optional choice left at "(none)"). */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

/** `integrationNames`: every integration, plus names the forwarder lists that no longer exist. */
export function forwarderSchema(type: ForwarderType, integrationNames: string[]): RJSFSchema {
  return {
    type: 'object',
    required: ['name', 'config'],
    properties: {
      name: { type: 'string', title: 'Name', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Unique name (letters, digits, . _ -); it cannot be changed later.' },
      enabled: { type: 'boolean', title: 'Enabled', default: true, description: 'Run the forwarder; disabled, its outbox keeps filling.' },
      integrations: {
        type: 'array', title: 'Integrations forwarded', uniqueItems: true,
        description: 'Whose stored data it forwards. None ticked: all integrations, including those created later.',
        items: { type: 'string', enum: integrationNames.length > 0 ? integrationNames : [''] },
      },
      config: { ...(formSchema(withoutDefaults(optionalChoices(type.configSpec))) as Json), title: `Connection: ${type.title}` },
    },
  } as RJSFSchema;
}

/**
 * Each default of the spec as its field's placeholder ("default: 500"); a yes/no setting with a
 * default becomes a select (yes, no or empty) whose title names the default: an unticked box would say "no".
 */
export function defaultPlaceholders(spec: unknown, ui: UiSchema): UiSchema {
  if (!isObject(spec) || !isObject(spec.properties)) return ui;
  const out: UiSchema = { ...ui };
  for (const [name, prop] of Object.entries(spec.properties)) {
    if (!isObject(prop)) continue;
    let child: UiSchema = { ...(out[name] as UiSchema | undefined) };
    const d = prop.default;
    if (typeof d === 'string' || typeof d === 'number') child['ui:placeholder'] = `default: ${d}`;
    if (typeof d === 'boolean') child = { ...child, 'ui:widget': 'select', 'ui:title': `${typeof prop.title === 'string' ? prop.title : name} (empty: ${d ? 'yes' : 'no'})` };
    child = defaultPlaceholders(prop, child);
    if (Object.keys(child).length > 0) out[name] = child;
  }
  return out;
}

/** The secret fields of a choice's options (`credentials` basic: `password`) write-only too: @rjsf hands a choice's uiSchema to the option shown. */
export function choiceSecretsUi(spec: unknown, ui: UiSchema): UiSchema {
  if (!isObject(spec) || !isObject(spec.properties)) return ui;
  const out: UiSchema = { ...ui };
  for (const [name, prop] of Object.entries(spec.properties)) {
    if (!isObject(prop)) continue;
    const options = prop.anyOf ?? prop.oneOf;
    const child: UiSchema = Array.isArray(options)
      ? Object.assign({ ...(out[name] as UiSchema | undefined) }, ...options.map((o) => secretUi(o)))
      : choiceSecretsUi(prop, { ...(out[name] as UiSchema | undefined) });
    if (Object.keys(child).length > 0) out[name] = child;
  }
  return out;
}

export function forwarderUi(type: ForwarderType, readonly: boolean, editing: boolean): UiSchema {
  return {
    'ui:order': ['name', 'enabled', 'integrations', 'config'],
    'ui:readonly': readonly,
    name: { 'ui:readonly': readonly || editing },
    integrations: { 'ui:widget': 'checkboxes' },
    config: defaultPlaceholders(type.configSpec, choiceSecretsUi(type.configSpec, secretUi(type.configSpec))),
  };
}

export function formDataOf(view: ForwarderView): ForwarderForm {
  return { name: view.name, enabled: view.enabled, integrations: view.integrations === 'all' ? [] : view.integrations, config: view.config };
}

/** The PUT body: secrets still "***" keep their stored value (docs/thingsboard.md). */
export function bodyOf(form: ForwarderForm, type: string): Record<string, unknown> {
  const integrations = form.integrations?.filter(Boolean) ?? [];
  return { name: form.name ?? '', type, integrations: integrations.length > 0 ? integrations : 'all', enabled: form.enabled ?? true, config: withoutNulls(form.config ?? {}) };
}

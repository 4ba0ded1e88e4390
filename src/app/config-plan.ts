/**
 * What applying a config file would change in the store: per converter, integration and
 * forwarder a create, update (with the changed field paths) or delete. One plan serves both
 * `cloudbridge config lint --diff` (printed, config-diff-format.ts) and every start and reload
 * (executed, config-apply.ts), so what the diff shows is what the apply does.
 *
 * `config.mode: additive` (default) only creates and updates; `declarative` also deletes what the
 * store holds and the file does not (the file owns every object, also those made through the API).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { ConnectorDefinition } from '../core/connector.ts';
import { toCloudbridgeError } from '../core/errors.ts';
import type { ConverterConfig, IntegrationConfig } from '../core/model.ts';
import type { ForwarderPlugin } from '../forwarders/registry.ts';
import type { ConfigFile } from './config-file.ts';
import { validateForwarder, type ForwarderEntry } from './forwarder-config.ts';
import { integrationInputSpec, type ConverterInput, type ConverterRef } from './schemas.ts';
import { keepRedactedSecrets, mapSecrets } from './secrets.ts';
import { parseWithSchema, type FieldProblem } from './validate.ts';
import { converterNotFound } from './config-references.ts';

export const ConfigModeSpec = Type.Union([Type.Literal('additive'), Type.Literal('declarative')], {
  default: 'additive',
  description: 'additive (default): start and reload create and update what the file holds and leave everything else. declarative: they also stop and delete the converters, integrations and forwarders that are in the store but not in the file.',
});

export type ConfigMode = 'additive' | 'declarative';
export type Kind = 'converter' | 'integration' | 'forwarder';

/** One changed field; `secret` ones are never shown with their values. */
export interface FieldChange {
  path: string;
  secret: boolean;
  from: unknown;
  to: unknown;
}

export interface Change {
  kind: Kind;
  action: 'create' | 'update' | 'delete' | 'unchanged';
  name: string;
  /** The entry's index in the file (absent for a delete). */
  index?: number;
  /** Updates: what changes. */
  fields: FieldChange[];
}

export interface ConfigPlan {
  mode: ConfigMode;
  /** In apply order: forwarders, converters, integrations (creates and updates), then deletes. */
  changes: Change[];
  /** What makes the file impossible to apply; nothing is changed while there are any. */
  problems: FieldProblem[];
}

/** The store's objects, secrets decrypted. */
export interface CurrentState {
  converters: ConverterConfig[];
  integrations: IntegrationConfig[];
  forwarders: ForwarderEntry[];
}

export interface PlanDeps {
  connectors: readonly ConnectorDefinition[];
  findForwarder: (type: string) => ForwarderPlugin | undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A stable text for deep comparison (object keys sorted). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (isPlainObject(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x)) ?? 'undefined';
}

/** The field paths where `a` and `b` differ: objects field by field, anything else as a whole. */
export function diffFields(a: unknown, b: unknown, isSecret: (path: string) => boolean, path = ''): FieldChange[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffFields(a[k], b[k], isSecret, path ? `${path}.${k}` : k));
  }
  if (canonical(a) === canonical(b)) return [];
  return [{ path, secret: isSecret(path), from: a, to: b }];
}

/** The paths of the `secret: true` fields of a config (under `prefix`), and of anything holding one. */
function secretPaths(spec: TSchema, configs: unknown[], prefix: string): (path: string) => boolean {
  const paths: string[] = [];
  for (const c of configs) {
    mapSecrets(spec, c, (v, p) => {
      paths.push(`${prefix}.${p}`);
      return v;
    });
  }
  return (path) => paths.some((p) => p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`) || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}

function converterShape(c: { type: string; language?: string | undefined; script: string; limits?: { timeoutMs?: number | undefined; memoryMb?: number | undefined } | undefined }): Record<string, unknown> {
  return {
    type: c.type, language: c.language ?? 'javascript', script: c.script,
    limits: { timeoutMs: c.limits?.timeoutMs, memoryMb: c.limits?.memoryMb },
  };
}

function planConverters(file: ConverterInput[], current: ConverterConfig[]): Change[] {
  return file.map((c, index) => {
    const existing = current.find((s) => s.name === c.name);
    if (!existing) return { kind: 'converter', action: 'create', name: c.name, index, fields: [] };
    const fields = diffFields(converterShape(existing), converterShape(c), () => false);
    return { kind: 'converter', action: fields.length ? 'update' : 'unchanged', name: c.name, index, fields };
  });
}

/** Why a declarative file may not name a converter it does not have. */
export function notInDeclarativeFile(name: string): string {
  return `converter "${name}" is not in the file's converters; with config.mode declarative the file owns every converter and "${name}" would be deleted: add it to converters, or point to one that is`;
}

interface ConverterIndex {
  /** The file's converters by name. */
  file: Map<string, ConverterInput>;
  current: ConverterConfig[];
  mode: ConfigMode;
}

/** The name of the converter a reference means, or a problem. */
function converterNameOf(ref: ConverterRef, want: 'uplink' | 'downlink', field: string, integration: string, idx: ConverterIndex, problems: FieldProblem[]): string | null {
  const byId = (id: string): ConverterConfig | undefined => idx.current.find((c) => c.id === id);
  const name = typeof ref === 'string'
    ? (idx.file.has(ref) ? ref : (idx.current.find((c) => c.name === ref) ?? byId(ref))?.name)
    : byId(ref.id)?.name ?? ref.name;
  const given = typeof ref === 'string' ? ref : ref.name ?? ref.id;
  const type = name === undefined ? undefined : idx.file.get(name)?.type ?? idx.current.find((c) => c.name === name)?.type;
  if (name === undefined || type === undefined) {
    problems.push(converterNotFound(given, field, integration, [...idx.file.keys(), ...idx.current.map((c) => c.name)], typeof ref === 'string' ? undefined : ref.id));
    return null;
  }
  if (type !== want) {
    problems.push({ field, message: `converter "${name}" is a ${type} converter; name a ${want} converter` });
    return null;
  }
  if (idx.mode === 'declarative' && !idx.file.has(name)) {
    problems.push({ field, message: notInDeclarativeFile(name) });
    return null;
  }
  return name;
}

function planIntegrations(file: ConfigFile, current: CurrentState, deps: PlanDeps, idx: ConverterIndex, problems: FieldProblem[]): Change[] {
  const spec = integrationInputSpec(deps.connectors.map((d) => d.type));
  const nameOfId = (id: string | null): string | null => (id ? current.converters.find((c) => c.id === id)?.name ?? id : null);
  const changes: Change[] = [];
  for (const [index, raw] of file.integrations.entries()) {
    const prefix = `integrations[${index}]`;
    try {
      const parsed = parseWithSchema(spec, raw, prefix);
      const def = deps.connectors.find((d) => d.type === parsed.type);
      if (!def) continue;
      const existing = current.integrations.find((s) => s.name === parsed.name);
      const stored = existing && existing.type === parsed.type ? existing.config : {};
      const config = parseWithSchema(def.configSpec, keepRedactedSecrets(def.configSpec, parsed.config, stored), `${prefix}.config`);
      const uplink = converterNameOf(parsed.uplinkConverter, 'uplink', `${prefix}.uplinkConverter`, parsed.name, idx, problems);
      const downlink = parsed.downlinkConverter ? converterNameOf(parsed.downlinkConverter, 'downlink', `${prefix}.downlinkConverter`, parsed.name, idx, problems) : null;
      if (!existing) {
        changes.push({ kind: 'integration', action: 'create', name: parsed.name, index, fields: [] });
        continue;
      }
      const shape = (c: { type: string; enabled: boolean; uplink: string | null; downlink: string | null; allowCreateDevices: boolean; failures: boolean; metadata: Record<string, string>; config: unknown }): Record<string, unknown> => ({
        type: c.type, enabled: c.enabled, uplinkConverter: c.uplink, downlinkConverter: c.downlink,
        allowCreateDevices: c.allowCreateDevices, debug: { failures: c.failures }, metadata: c.metadata, config: c.config,
      });
      const before = shape({ ...existing, uplink: nameOfId(existing.uplinkConverterId), downlink: nameOfId(existing.downlinkConverterId), failures: existing.debug.failures });
      const after = shape({
        type: parsed.type, enabled: parsed.enabled ?? true, uplink, downlink, allowCreateDevices: parsed.allowCreateDevices ?? true,
        failures: parsed.debug?.failures ?? existing.debug.failures, metadata: parsed.metadata ?? {}, config,
      });
      const fields = diffFields(before, after, secretPaths(def.configSpec, [existing.config, config], 'config'));
      // allMinutes opens a new debug window (from now) at every apply; 0 closes an open one.
      const minutes = parsed.debug?.allMinutes;
      if (minutes !== undefined && (minutes > 0 || existing.debug.allUntil !== 0)) fields.push({ path: 'debug.allMinutes', secret: false, from: undefined, to: minutes });
      changes.push({ kind: 'integration', action: fields.length ? 'update' : 'unchanged', name: parsed.name, index, fields });
    } catch (err) {
      collect(err, prefix, problems);
    }
  }
  return changes;
}

async function planForwarders(file: ConfigFile, current: CurrentState, deps: PlanDeps, problems: FieldProblem[]): Promise<Change[]> {
  const changes: Change[] = [];
  for (const [index, raw] of (file.forwarders ?? []).entries()) {
    const prefix = `forwarders[${index}]`;
    const name = typeof raw.name === 'string' ? raw.name : '';
    const existing = current.forwarders.find((f) => f.name === name);
    try {
      const { entry, def } = await validateForwarder(raw, deps.findForwarder, prefix, existing);
      if (!existing) {
        changes.push({ kind: 'forwarder', action: 'create', name: entry.name, index, fields: [] });
        continue;
      }
      const fields = diffFields(existing, entry, secretPaths(def.configSpec, [existing.config, entry.config], 'config'));
      changes.push({ kind: 'forwarder', action: fields.length ? 'update' : 'unchanged', name: entry.name, index, fields });
    } catch (err) {
      collect(err, prefix, problems);
    }
  }
  return changes;
}

function collect(err: unknown, field: string, problems: FieldProblem[]): void {
  const e = toCloudbridgeError(err);
  problems.push(...((e.details.problems as FieldProblem[] | undefined) ?? [{ field: e.details.field ?? field, message: e.message }]));
}

/** Deletes of a declarative file: what the store has and the file does not. */
function planDeletes(kind: Kind, stored: Array<{ name: string }>, inFile: Array<{ name?: unknown }>): Change[] {
  const names = new Set(inFile.map((e) => e.name));
  return stored.filter((s) => !names.has(s.name)).map((s) => ({ kind, action: 'delete', name: s.name, fields: [] }));
}

/** The changes applying `file` makes to the store holding `current`. */
export async function planConfig(file: ConfigFile, current: CurrentState, deps: PlanDeps): Promise<ConfigPlan> {
  const mode: ConfigMode = file.config?.mode ?? 'additive';
  const problems: FieldProblem[] = [];
  const idx: ConverterIndex = { file: new Map(file.converters.map((c) => [c.name, c])), current: current.converters, mode };
  const forwarders = await planForwarders(file, current, deps, problems);
  const converters = planConverters(file.converters, current.converters);
  const integrations = planIntegrations(file, current, deps, idx, problems);
  const deletes = mode === 'declarative'
    ? [
      ...planDeletes('integration', current.integrations, file.integrations),
      ...planDeletes('converter', current.converters, file.converters),
      ...planDeletes('forwarder', current.forwarders, file.forwarders ?? []),
    ]
    : [];
  return { mode, changes: [...forwarders, ...converters, ...integrations, ...deletes], problems };
}

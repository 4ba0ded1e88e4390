/**
 * Creates, updates and deletes converters and integrations with one validation path for the
 * API and the config file: schema check with field-named errors, converter compilation,
 * connector-specific validation, secret encryption, then the running integrations follow. Each
 * change is recorded in the audit log with the actor the caller names (API token, cli, config-file).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { CheckResult, ConnectorDefinition } from '../core/connector.ts';
import { CloudbridgeError } from '../core/errors.ts';
import type { ConverterConfig, IntegrationConfig, IntegrationStatus } from '../core/model.ts';
import type { Store } from '../store/types.ts';
import type { Actor, AuditLog } from './audit-log.ts';
import type { IntegrationManager } from './integration-manager.ts';
import { converterNotFound, referencesError } from './config-references.ts';
import type { ConverterFactory } from './integration-runtime.ts';
import { decryptConfig, encryptConfig, redactConfig } from './integration-secrets.ts';
import { ConverterInputSpec, integrationInputSpec, type ConverterInput, type ConverterRef, type IntegrationInput } from './schemas.ts';
import { keepRedactedSecrets, REDACTED, type SecretBox } from './secrets.ts';
import { parseWithSchema, configError, runConnectorValidate } from './validate.ts';

export interface IntegrationView {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  uplinkConverter: { id: string; name: string } | null;
  downlinkConverter: { id: string; name: string } | null;
  allowCreateDevices: boolean;
  debug: IntegrationConfig['debug'];
  metadata: Record<string, string>;
  config: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  status: IntegrationStatus | null;
  warnings?: string[];
}

export interface ConfigServiceDeps {
  store: Store;
  secrets: SecretBox;
  converters: ConverterFactory;
  manager: IntegrationManager;
  connectors: readonly ConnectorDefinition[];
  clock: Clock;
  /** Every change is recorded here with the actor the caller names. */
  audit: AuditLog;
  /** The CREDENTIAL_EXPIRY warnings of a config being saved (the credential watch's), returned with the save's warnings. */
  expiryWarnings?: (name: string, def: ConnectorDefinition, config: Record<string, unknown>) => string[];
}

export class ConfigService {
  private readonly deps: ConfigServiceDeps;
  /** Converter names as last read, for the views served from memory while the store is down. */
  private lastConverterNames = new Map<string, string>();

  constructor(deps: ConfigServiceDeps) {
    this.deps = deps;
  }

  // ---- converters ----

  async saveConverter(input: unknown, by: Actor, idOrName?: string, prefix = ''): Promise<ConverterConfig> {
    const parsed = parseWithSchema(ConverterInputSpec, input, prefix);
    const p = prefix ? `${prefix}.` : '';
    if (parsed.language === 'jsonata' && parsed.type === 'downlink') {
      throw configError([{ field: `${p}language`, message: 'jsonata is available for uplink converters only; use javascript for a downlink converter' }]);
    }
    const existing = idOrName ? await this.requireConverter(idOrName) : await this.deps.store.getConverter(parsed.name);
    if (idOrName === undefined && existing) throw new CloudbridgeError('CONFLICT', `a converter named "${parsed.name}" already exists`, { field: 'name' });
    if (idOrName !== undefined && existing) checkReadOnlyId('converter', parsed.id, existing, p);
    // PUT of what GET returned: nothing to save, and no integration restarts.
    if (existing && sameConverter(existing, parsed)) return existing;
    await this.ensureNameFree('converter', parsed.name, existing?.id);
    const now = this.deps.clock.now();
    const cfg = toConverterConfig(parsed, existing?.id ?? randomUUID(), existing?.createdAt ?? now, now);
    await this.compile(cfg);
    await this.deps.store.saveConverter(cfg);
    await this.deps.audit.record(by, { action: existing ? 'update' : 'create', entityKind: 'converter', entityId: cfg.id, entityName: cfg.name, before: existing, after: cfg });
    if (existing) await this.deps.manager.converterChanged(cfg.id);
    return cfg;
  }

  /** Upsert by name (config as code). */
  async upsertConverter(input: ConverterInput, prefix: string, by: Actor): Promise<ConverterConfig> {
    const existing = await this.deps.store.getConverter(input.name);
    return this.saveConverter(input, by, existing?.id, prefix);
  }

  async deleteConverter(idOrName: string, by: Actor): Promise<void> {
    const cfg = await this.requireConverter(idOrName);
    const users = (await this.deps.store.listIntegrations()).filter((i) => i.uplinkConverterId === cfg.id || i.downlinkConverterId === cfg.id);
    if (users.length > 0) {
      throw new CloudbridgeError('CONFLICT', `converter "${cfg.name}" is used by integration(s) ${users.map((u) => `"${u.name}"`).join(', ')}; change or delete them first`);
    }
    await this.deps.store.deleteConverter(cfg.id);
    await this.deps.audit.record(by, { action: 'delete', entityKind: 'converter', entityId: cfg.id, entityName: cfg.name, before: cfg, after: null });
  }

  /** A converter named by name or id, or by the {id, name} object GET returns (by id, else by name). */
  async resolveConverter(ref: ConverterRef, field: string, integration?: string): Promise<ConverterConfig> {
    const cfg = typeof ref === 'string'
      ? await this.deps.store.getConverter(ref)
      : await this.deps.store.getConverter(ref.id) ?? (ref.name ? await this.deps.store.getConverter(ref.name) : null);
    if (cfg) return cfg;
    const wanted = typeof ref === 'string' ? ref : ref.name ?? ref.id;
    const names = (await this.deps.store.listConverters()).map((c) => c.name);
    throw referencesError([converterNotFound(wanted, field, integration, names, typeof ref === 'string' ? undefined : ref.id)]);
  }

  async requireConverter(idOrName: string, field = 'converter'): Promise<ConverterConfig> {
    const cfg = await this.deps.store.getConverter(idOrName);
    if (!cfg) throw new CloudbridgeError('NOT_FOUND', `converter "${idOrName}" not found`, { field });
    return cfg;
  }

  // ---- integrations ----

  async saveIntegration(input: unknown, by: Actor, idOrName?: string, prefix = ''): Promise<IntegrationView> {
    const types = this.deps.connectors.map((c) => c.type);
    const parsed = parseWithSchema(integrationInputSpec(types), input, prefix);
    const existing = idOrName ? await this.requireIntegration(idOrName) : await this.deps.store.getIntegration(parsed.name);
    if (idOrName === undefined && existing) throw new CloudbridgeError('CONFLICT', `an integration named "${parsed.name}" already exists`, { field: 'name' });
    if (idOrName !== undefined && existing) checkReadOnlyId('integration', parsed.id, existing, prefix ? `${prefix}.` : '');
    await this.ensureNameFree('integration', parsed.name, existing?.id);
    const { cfg, warnings } = await this.buildIntegration(parsed, existing, prefix);
    if (existing && this.sameIntegration(existing, cfg)) return { ...this.view(existing, await this.converterNames()), ...(warnings.length ? { warnings } : {}) };
    await this.deps.store.saveIntegration(cfg);
    const names = await this.converterNames();
    await this.deps.audit.record(by, {
      action: existing ? 'update' : 'create', entityKind: 'integration', entityId: cfg.id, entityName: cfg.name,
      before: existing ? this.auditView(existing, names) : null, after: this.auditView(cfg, names),
    });
    await this.deps.manager.apply(cfg);
    return { ...this.view(cfg, names), ...(warnings.length ? { warnings } : {}) };
  }

  /** Upsert by name (config as code). */
  async upsertIntegration(input: IntegrationInput, prefix: string, by: Actor): Promise<IntegrationView> {
    const existing = await this.deps.store.getIntegration(input.name);
    return this.saveIntegration(input, by, existing?.id, prefix);
  }

  async setEnabled(idOrName: string, enabled: boolean, by: Actor): Promise<IntegrationView> {
    const cfg = await this.requireIntegration(idOrName);
    const updated = { ...cfg, enabled, updatedAt: this.deps.clock.now() };
    await this.deps.store.saveIntegration(updated);
    const names = await this.converterNames();
    if (cfg.enabled !== enabled) {
      await this.deps.audit.record(by, {
        action: enabled ? 'enable' : 'disable', entityKind: 'integration', entityId: cfg.id, entityName: cfg.name,
        before: this.auditView(cfg, names), after: this.auditView(updated, names),
      });
    }
    await this.deps.manager.apply(updated);
    return this.view(updated, names);
  }

  async deleteIntegration(idOrName: string, by: Actor): Promise<void> {
    const cfg = await this.requireIntegration(idOrName);
    await this.deps.manager.remove(cfg.id);
    await this.deps.store.deleteIntegration(cfg.id);
    await this.deps.audit.record(by, {
      action: 'delete', entityKind: 'integration', entityId: cfg.id, entityName: cfg.name, before: this.auditView(cfg, await this.converterNames()), after: null,
    });
  }

  async requireIntegration(idOrName: string): Promise<IntegrationConfig> {
    const cfg = await this.deps.store.getIntegration(idOrName);
    if (!cfg) throw new CloudbridgeError('NOT_FOUND', `integration "${idOrName}" not found`);
    return cfg;
  }

  async listIntegrationViews(): Promise<IntegrationView[]> {
    const names = await this.converterNames();
    return (await this.deps.store.listIntegrations()).map((c) => this.view(c, names));
  }

  async integrationView(idOrName: string): Promise<IntegrationView> {
    return this.view(await this.requireIntegration(idOrName), await this.converterNames());
  }

  /** The views of the integrations this instance runs, without the store (while it is unavailable). */
  integrationViewsFromMemory(): IntegrationView[] {
    const configs = this.deps.manager.all().map((r) => r.config);
    const names = new Map(this.lastConverterNames);
    for (const c of configs) {
      for (const id of [c.uplinkConverterId, c.downlinkConverterId]) if (id && !names.has(id)) names.set(id, id);
    }
    return configs.map((c) => this.view(c, names)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Runs the connector's connection check on a saved integration or on an unsaved body. */
  async checkConnection(input: { idOrName?: string; body?: unknown }, signal: AbortSignal): Promise<CheckResult> {
    let type: string;
    let config: Record<string, unknown>;
    if (input.idOrName) {
      const cfg = await this.requireIntegration(input.idOrName);
      type = cfg.type;
      config = decryptConfig(this.definition(type).configSpec, cfg.config, this.deps.secrets);
    } else {
      const body = (input.body ?? {}) as { type?: unknown; config?: unknown };
      type = String(body.type ?? '');
      config = parseWithSchema(this.definition(type).configSpec, body.config ?? {}, 'config') as Record<string, unknown>;
    }
    return this.definition(type).testConnection(config, signal);
  }

  definition(type: string): ConnectorDefinition {
    const def = this.deps.connectors.find((c) => c.type === type);
    if (!def) {
      throw new CloudbridgeError('CONFIG_INVALID', `unknown integration type "${type}" (one of: ${this.deps.connectors.map((c) => c.type).join(', ')})`, { field: 'type' });
    }
    return def;
  }

  private async buildIntegration(parsed: IntegrationInput, existing: IntegrationConfig | null, prefix: string): Promise<{ cfg: IntegrationConfig; warnings: string[] }> {
    const def = this.definition(parsed.type);
    const p = prefix ? `${prefix}.` : '';
    const uplink = await this.resolveConverter(parsed.uplinkConverter, `${p}uplinkConverter`, parsed.name);
    if (uplink.type !== 'uplink') throw configError([{ field: `${p}uplinkConverter`, message: `converter "${uplink.name}" is a downlink converter; name an uplink converter` }]);
    let downlinkId: string | null = null;
    if (parsed.downlinkConverter) {
      const down = await this.resolveConverter(parsed.downlinkConverter, `${p}downlinkConverter`, parsed.name);
      if (down.type !== 'downlink') throw configError([{ field: `${p}downlinkConverter`, message: `converter "${down.name}" is an uplink converter; name a downlink converter` }]);
      if (!def.capabilities.downlink) throw configError([{ field: `${p}downlinkConverter`, message: `the ${def.type} connector cannot send downlinks; remove downlinkConverter` }]);
      downlinkId = down.id;
    }
    // A secret sent back as "***" keeps the stored value; without one (a new integration, or a
    // changed type) "***" is refused rather than saved as the secret.
    const stored = existing && existing.type === parsed.type ? decryptConfig(def.configSpec, existing.config, this.deps.secrets) : {};
    let rawConfig: unknown;
    try {
      rawConfig = keepRedactedSecrets(def.configSpec, parsed.config, stored);
    } catch (err) {
      if (!(err instanceof CloudbridgeError) || !err.details.field) throw err;
      throw configError([{ field: `${p}config.${err.details.field}`, message: `"${REDACTED}" means "keep the stored value", but none is stored for this field${existing && existing.type !== parsed.type ? ` (the type changed from ${existing.type})` : ''}: send the real value` }]);
    }
    const config = parseWithSchema(def.configSpec, rawConfig, `${p}config`) as Record<string, unknown>;
    const warnings = [...await runConnectorValidate(def, config, `${p}config`), ...this.deps.expiryWarnings?.(parsed.name, def, config) ?? []];
    const now = this.deps.clock.now();
    const allUntil = parsed.debug?.allMinutes !== undefined
      ? (parsed.debug.allMinutes > 0 ? now + parsed.debug.allMinutes * 60_000 : 0)
      : existing?.debug.allUntil ?? 0;
    const cfg: IntegrationConfig = {
      id: existing?.id ?? randomUUID(),
      name: parsed.name,
      type: parsed.type,
      enabled: parsed.enabled ?? true,
      uplinkConverterId: uplink.id,
      downlinkConverterId: downlinkId,
      allowCreateDevices: parsed.allowCreateDevices ?? true,
      debug: { failures: parsed.debug?.failures ?? existing?.debug.failures ?? true, allUntil },
      metadata: parsed.metadata ?? {},
      config: encryptConfig(def.configSpec, config, this.deps.secrets),
      ...(parsed.retention ? { retention: parsed.retention } : {}),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    return { cfg, warnings };
  }

  /** True when saving `next` would change nothing (secrets compared decrypted). */
  private sameIntegration(prev: IntegrationConfig, next: IntegrationConfig): boolean {
    const spec = this.definition(next.type).configSpec;
    const comparable = (c: IntegrationConfig): string => JSON.stringify({
      ...c, updatedAt: 0, debug: { failures: c.debug.failures, allUntil: 0 },
      config: decryptConfig(spec, c.config, this.deps.secrets),
    });
    return prev.type === next.type && prev.debug.allUntil === next.debug.allUntil && comparable(prev) === comparable(next);
  }

  private async compile(cfg: ConverterConfig): Promise<void> {
    const runner = cfg.type === 'uplink' ? await this.deps.converters.uplink(cfg) : await this.deps.converters.downlink(cfg);
    runner.dispose();
  }

  private async ensureNameFree(kind: 'converter' | 'integration', name: string, ownId: string | undefined): Promise<void> {
    const other = kind === 'converter' ? await this.deps.store.getConverter(name) : await this.deps.store.getIntegration(name);
    if (other && other.id !== ownId) throw new CloudbridgeError('CONFLICT', `a ${kind} named "${name}" already exists`, { field: 'name' });
  }

  private async converterNames(): Promise<Map<string, string>> {
    this.lastConverterNames = new Map((await this.deps.store.listConverters()).map((c) => [c.id, c.name]));
    return this.lastConverterNames;
  }

  /** The integration as the audit log keeps it: its API view (secrets as "***") without the runtime status. */
  private auditView(cfg: IntegrationConfig, names: Map<string, string>): Omit<IntegrationView, 'status'> {
    const { status: _status, ...rest } = this.view(cfg, names);
    return rest;
  }

  private view(cfg: IntegrationConfig, names: Map<string, string>): IntegrationView {
    const def = this.deps.connectors.find((c) => c.type === cfg.type);
    const ref = (id: string | null): { id: string; name: string } | null => (id ? { id, name: names.get(id) ?? '(deleted)' } : null);
    return {
      id: cfg.id, name: cfg.name, type: cfg.type, enabled: cfg.enabled,
      uplinkConverter: ref(cfg.uplinkConverterId), downlinkConverter: ref(cfg.downlinkConverterId),
      allowCreateDevices: cfg.allowCreateDevices, debug: cfg.debug, metadata: cfg.metadata,
      config: def ? redactConfig(def.configSpec, cfg.config) : {},
      ...(cfg.retention ? { retention: cfg.retention } : {}),
      createdAt: cfg.createdAt, updatedAt: cfg.updatedAt,
      status: this.deps.manager.status(cfg.id),
    };
  }
}

/**
 * `id` is read-only: accepted on PUT (GET returns it) only when it is the id of the object
 * addressed, so a body meant for another object is not applied to this one.
 */
function checkReadOnlyId(kind: 'converter' | 'integration', given: string | undefined, existing: { id: string; name: string }, p: string): void {
  if (given === undefined || given === existing.id) return;
  throw configError([{ field: `${p}id`, message: `is read-only and ${JSON.stringify(given)} is not the id of ${kind} "${existing.name}" (${existing.id}); remove id, or send the body to that ${kind}` }]);
}

/** True when saving `parsed` over `cfg` would change nothing. */
function sameConverter(cfg: ConverterConfig, parsed: ConverterInput): boolean {
  return cfg.name === parsed.name && cfg.type === parsed.type && cfg.language === (parsed.language ?? 'javascript') && cfg.script === parsed.script
    && cfg.limits?.timeoutMs === parsed.limits?.timeoutMs && cfg.limits?.memoryMb === parsed.limits?.memoryMb;
}

function toConverterConfig(parsed: ConverterInput, id: string, createdAt: number, updatedAt: number): ConverterConfig {
  return {
    id, name: parsed.name, type: parsed.type, language: parsed.language ?? 'javascript', script: parsed.script,
    ...(parsed.limits ? { limits: parsed.limits } : {}), createdAt, updatedAt,
  };
}

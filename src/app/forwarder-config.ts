/**
 * A forwarder as the config file and the API take it (`forwarders: [{name, type, integrations,
 * enabled, config}]`), its validation per type (field paths in the errors, secrets scrubbed), and
 * its persistence: one settings entry (`forwarders`) holding every forwarder as JSON, secrets
 * encrypted like connector secrets.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CloudbridgeError } from '../core/errors.ts';
import type { ForwarderPlugin } from '../forwarders/registry.ts';
import type { SettingsStore } from '../store/types.ts';
import { decryptConfig, encryptConfig, redactConfig } from './integration-secrets.ts';
import { keepRedactedSecrets, type SecretBox } from './secrets.ts';
import { parseWithSchema, runConnectorValidate } from './validate.ts';

export const FORWARDERS_SETTING = 'forwarders';

export const ForwarderInputSpec = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Unique name (letters, digits, . _ -).' }),
  type: Type.String({ minLength: 1, description: 'Forwarder type, e.g. thingsboard-gateway.' }),
  integrations: Type.Union([Type.Literal('all'), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
    description: 'The integrations (names) whose stored data it forwards, or "all".',
  }),
  enabled: Type.Optional(Type.Boolean({ default: true })),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'The type\'s config (see docs/forwarders/<type>.md).' }),
  status: Type.Optional(Type.Unknown({ readOnly: true, description: 'Read-only: what GET adds; ignored on input.' })),
}, { additionalProperties: false });

export type ForwarderInput = Static<typeof ForwarderInputSpec>;

/** A forwarder as kept in memory: config decrypted and validated against its type. */
export interface ForwarderEntry {
  name: string;
  type: string;
  integrations: string[] | 'all';
  enabled: boolean;
  config: Record<string, unknown>;
}

/**
 * Validates an input against the forwarder type's spec and rules. `prefix` names where it came from
 * (`forwarders[0]`, or the API body). Returns the entry and the type's warnings.
 */
export async function validateForwarder(
  raw: unknown, find: (type: string) => ForwarderPlugin | undefined, prefix: string, stored?: ForwarderEntry,
): Promise<{ entry: ForwarderEntry; warnings: string[]; def: ForwarderPlugin }> {
  const input = parseWithSchema(ForwarderInputSpec, raw, prefix);
  const def = find(input.type);
  if (!def) throw new CloudbridgeError('CONFIG_INVALID', `${prefix}.type: unknown forwarder type "${input.type}"`, { field: `${prefix}.type` });
  const at = `${prefix}.config`;
  const merged = stored && stored.type === input.type
    ? keepRedactedSecrets(def.configSpec, input.config, stored.config) as Record<string, unknown>
    : input.config;
  const config = parseWithSchema(def.configSpec, merged, at) as Record<string, unknown>;
  const warnings = (await runConnectorValidate(def, config, at)).map((w) => `${at}: ${w}`);
  return { entry: { name: input.name, type: input.type, integrations: input.integrations, enabled: input.enabled ?? true, config }, warnings, def };
}

/** The config with secrets as "***", for the API. */
export function redactedEntry(entry: ForwarderEntry, def: ForwarderPlugin | undefined): ForwarderEntry {
  return { ...entry, config: def ? redactConfig(def.configSpec, entry.config) : {} };
}

/** Reads every stored forwarder (secrets decrypted); the raw text tells whether anything changed. */
export async function loadForwarders(store: SettingsStore, box: SecretBox, find: (type: string) => ForwarderPlugin | undefined): Promise<{ text: string | null; entries: ForwarderEntry[] }> {
  const text = await store.getSetting(FORWARDERS_SETTING);
  if (!text) return { text, entries: [] };
  const stored = JSON.parse(text) as ForwarderEntry[];
  return {
    text,
    entries: stored.map((e) => {
      const def = find(e.type);
      return def ? { ...e, config: decryptConfig(def.configSpec, e.config, box) } : e;
    }),
  };
}

/** Writes every forwarder (secrets encrypted); returns the text written. */
export async function saveForwarders(store: SettingsStore, box: SecretBox, find: (type: string) => ForwarderPlugin | undefined, entries: ForwarderEntry[]): Promise<string> {
  const stored = entries.map((e) => {
    const def = find(e.type);
    return def ? { ...e, config: encryptConfig(def.configSpec, e.config, box) } : e;
  });
  const text = JSON.stringify(stored);
  await store.setSetting(FORWARDERS_SETTING, text);
  return text;
}

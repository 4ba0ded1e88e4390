/**
 * `cloudbridge config lint --diff FILE [--config RUNNING_CONFIG | --store PATH_OR_URL]`: prints
 * what a start or reload with FILE would change in a store, from the same plan the apply executes
 * (src/app/config-plan.ts). Secrets are never printed: a changed secret reads "changed".
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { connectorDefinitions } from '../connectors/registry.ts';
import { CloudbridgeError } from '../core/errors.ts';
import { findForwarder } from '../forwarders/registry.ts';
import { readCurrent } from '../app/config-apply.ts';
import { loadConfigFile, type ConfigFile } from '../app/config-file.ts';
import { planConfig, type Change, type ConfigPlan, type FieldChange } from '../app/config-plan.ts';
import { pathLooksSecret } from '../app/secret-names.ts';
import { SecretBox } from '../app/secrets.ts';
import { masterKeyFileOf, sqlitePathOf } from '../app/store-section.ts';
import { openStore, type StoreConfig } from '../store/index.ts';

export interface DiffTarget {
  /** A running instance's config file: its store is compared. */
  config?: string | undefined;
  /** A SQLite database file or a postgres:// URL. */
  store?: string | undefined;
}

/** The store the diff compares with: --store, else --config's store, else FILE's own. */
function storeOf(file: ConfigFile, target: DiffTarget): { cfg: StoreConfig; label: string; keyFile: string | null } {
  if (target.store && /^postgres(ql)?:\/\//.test(target.store)) return { cfg: { postgres: { url: target.store } }, label: 'postgres', keyFile: null };
  const source = target.config ? loadConfigFile(target.config) : file;
  if (!target.store && source.store.postgres) return { cfg: { postgres: { url: source.store.postgres.url } }, label: 'postgres', keyFile: null };
  const path = target.store ? resolve(target.store) : sqlitePathOf(source.store);
  if (!existsSync(path)) {
    throw new CloudbridgeError('CONFIG_INVALID', `no SQLite database at ${path}: name the store of the running instance with --store PATH or --config ITS_CONFIG`, { field: '--store' });
  }
  return { cfg: { sqlite: { path } }, label: `sqlite ${path}`, keyFile: masterKeyFileOf({ sqlite: { path } }) };
}

/** The master key the store's secrets were saved with; never created here. */
function secretBox(keyFile: string | null, env: NodeJS.ProcessEnv): SecretBox {
  if (!env.CLOUDBRIDGE_MASTER_KEY && (!keyFile || !existsSync(keyFile))) {
    throw new CloudbridgeError('CONFIG_INVALID', `set CLOUDBRIDGE_MASTER_KEY to the master key the instance runs with${keyFile ? ` (there is no ${keyFile})` : ''}, so that secrets can be compared`, { field: 'CLOUDBRIDGE_MASTER_KEY' });
  }
  return SecretBox.fromEnvOrFile(env, keyFile ?? '');
}

/** Computes the plan of FILE against the target store. */
export async function diffConfig(path: string, target: DiffTarget, env: NodeJS.ProcessEnv = process.env): Promise<{ plan: ConfigPlan; label: string }> {
  const file = loadConfigFile(path, env);
  const { cfg, label, keyFile } = storeOf(file, target);
  const secrets = secretBox(keyFile, env);
  const store = await openStore(cfg);
  try {
    const deps = { connectors: connectorDefinitions, findForwarder };
    return { plan: await planConfig(file, await readCurrent(store, secrets, deps), deps), label };
  } finally {
    await store.close();
  }
}

/** A value as the diff may show it: short non-secret scalars only. */
function shown(v: unknown): string | null {
  if (v === undefined || v === null) return '(none)';
  if (typeof v === 'object') return null;
  if (typeof v === 'string' && v.includes('\n')) return null;
  const text = JSON.stringify(v);
  return text.length > 60 ? null : text;
}

function fieldLine(f: FieldChange): string {
  if (f.secret || pathLooksSecret(f.path)) return `${f.path}: changed (secret)`;
  if (f.path === 'script') return 'script: changed';
  const from = shown(f.from);
  const to = shown(f.to);
  return from !== null && to !== null ? `${f.path}: ${from} → ${to}` : `${f.path}: changed`;
}

const SIGN = { create: '+', update: '~', delete: '-', unchanged: '=' } as const;

/** The plan as lines for a terminal. */
export function formatPlan(plan: ConfigPlan): string[] {
  const lines: string[] = [];
  const shownChanges = plan.changes.filter((c) => c.action !== 'unchanged');
  for (const c of shownChanges) {
    const why = c.action === 'delete' ? ' (not in the file; config.mode is declarative)' : '';
    lines.push(`${SIGN[c.action]} ${c.action} ${c.kind} "${c.name}"${why}`);
    for (const f of c.fields) lines.push(`    ${fieldLine(f)}`);
  }
  const count = (a: Change['action']): number => plan.changes.filter((c) => c.action === a).length;
  lines.push(shownChanges.length === 0
    ? `no changes (${count('unchanged')} unchanged; config.mode ${plan.mode})`
    : `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('unchanged')} unchanged (config.mode ${plan.mode})`);
  return lines;
}

/**
 * `cloudbridge integrations list|show|enable|disable|check` and `cloudbridge converters list`:
 * against the store of --config, or a running instance through its API (--url, --token).
 */
import type { IntegrationView } from '../app/config-service.ts';
import { integrationEntryOf } from '../app/store-section.ts';
import type { CheckResult } from '../core/connector.ts';
import { apiTarget } from './admin-remote.ts';
import { storeTarget, type AdminTarget } from './admin-target.ts';
import { parseCommand, UsageError } from './args.ts';
import { keyValues, table, time } from './table.ts';
import { remoteOf, TARGET_HELP, TARGET_OPTIONS, type TargetValues } from './target-options.ts';

const HELP = `Usage: cloudbridge integrations list [options]
       cloudbridge integrations show NAME|ID [options]
       cloudbridge integrations enable NAME|ID [options]
       cloudbridge integrations disable NAME|ID [options]
       cloudbridge integrations check NAME|ID [options]

Lists the integrations, shows one (its config with secrets as "***"), enables or disables one, or
checks its credentials and reachability (no message is consumed).
With --url, the running instance applies enable and disable at once and shows live status.
Against the store (no --url), status is not known, and a running instance applies enable and
disable only at its next start; an integration of the instance's config file gets the file's
"enabled" again at that start or a reload (set it there).

${TARGET_HELP}`;

const CONVERTERS_HELP = `Usage: cloudbridge converters list [options]

Lists the converters (name, type, language, updated).

${TARGET_HELP}`;

function target(v: TargetValues, env: NodeJS.ProcessEnv = process.env): Promise<AdminTarget> {
  const remote = remoteOf(v, 'a viewer token may list and show; enable, disable and check need an admin token', env);
  return remote ? Promise.resolve(apiTarget(remote)) : storeTarget(v.config, env);
}

async function using<T>(v: TargetValues, fn: (t: AdminTarget) => Promise<T>): Promise<T> {
  const t = await target(v);
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

const state = (i: IntegrationView): string => i.status?.state ?? (i.enabled ? '-' : 'STOPPED');

function integrationTable(list: IntegrationView[]): string {
  return table(['NAME', 'TYPE', 'ENABLED', 'STATE', 'UPLINK CONVERTER', 'UPDATED'],
    list.map((i) => [i.name, i.type, i.enabled ? 'yes' : 'no', state(i), i.uplinkConverter?.name ?? '-', time(i.updatedAt)]));
}

function integrationDetails(i: IntegrationView): string {
  const s = i.status;
  return [
    keyValues([
      ['name', i.name], ['id', i.id], ['type', i.type], ['enabled', i.enabled ? 'yes' : 'no'],
      ['state', s ? `${s.state} since ${time(s.since)}` : '- (not known from the store; use --url for a running instance)'],
      ...(s?.lastError ? [['last error', `[${s.lastError.code}] ${s.lastError.message}${s.lastError.resolvedAt ? ` (resolved ${time(s.lastError.resolvedAt)})` : ''}`] as [string, string]] : []),
      ...(s ? [['counters', Object.entries(s.counters).map(([k, n]) => `${k}=${n}`).join(' ')] as [string, string]] : []),
      ['uplink converter', i.uplinkConverter?.name ?? '-'], ['downlink converter', i.downlinkConverter?.name ?? '-'],
      ['allow create devices', i.allowCreateDevices ? 'yes' : 'no'],
      ['created', time(i.createdAt)], ['updated', time(i.updatedAt)],
    ]),
    'config:',
    ...JSON.stringify(i.config, null, 2).split('\n').map((l) => `  ${l}`),
  ].join('\n');
}

function checkText(name: string, r: CheckResult): string {
  return [
    ...r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.message}`),
    r.ok ? `${name}: connection check passed` : `${name}: connection check failed${r.error ? `: [${r.error.code}] ${r.error.message}` : ''}`,
  ].join('\n');
}

export async function runIntegrations(args: string[]): Promise<number> {
  const parsed = parseCommand(args, TARGET_OPTIONS, HELP);
  if (!parsed) return 0;
  const v = parsed.values as TargetValues;
  const [sub, name, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"; see --help`);
  const print = (value: unknown, text: string): void => console.log(v.json ? JSON.stringify(value, null, 2) : text);
  if (sub === 'list') {
    if (name) throw new UsageError(`integrations list takes no NAME ("${name}"); use: cloudbridge integrations show ${name}`);
    await using(v, async (t) => { const list = await t.listIntegrations(); print(list, list.length ? integrationTable(list) : `no integrations in ${t.where}`); });
    return 0;
  }
  if (sub !== 'show' && sub !== 'enable' && sub !== 'disable' && sub !== 'check') {
    console.error(HELP);
    return 2;
  }
  if (!name) throw new UsageError(`integrations ${sub} needs the NAME or ID of an integration (see: cloudbridge integrations list)`);
  return using(v, async (t) => {
    if (sub === 'show') {
      const i = await t.integration(name);
      print(i, integrationDetails(i));
      return 0;
    }
    if (sub === 'check') {
      const r = await t.check(name);
      print(r, checkText(name, r));
      return r.ok ? 0 : 1;
    }
    const i = await t.setEnabled(name, sub === 'enable');
    print(i, `integration "${i.name}" ${i.enabled ? 'enabled' : 'disabled'}${t.live ? ` (state: ${state(i)})` : ''}`);
    if (!t.live) {
      console.error(`changed in ${t.where}: a running instance on this store applies it at its next start; give --url to change a running instance at once`);
      const entry = v.config ? integrationEntryOf(v.config, i.name) : null;
      if (entry) console.error(`note: ${v.config} defines "${i.name}" (${entry}): a start or reload with that file sets enabled as written there (default true); change it there to keep it ${i.enabled ? 'enabled' : 'disabled'}`);
    }
    return 0;
  });
}

export async function runConverters(args: string[]): Promise<number> {
  const parsed = parseCommand(args, TARGET_OPTIONS, CONVERTERS_HELP);
  if (!parsed) return 0;
  const v = parsed.values as TargetValues;
  if (parsed.positionals[0] !== 'list' || parsed.positionals.length > 1) {
    console.error(CONVERTERS_HELP);
    return 2;
  }
  await using(v, async (t) => {
    const list = await t.listConverters();
    if (v.json) console.log(JSON.stringify(list, null, 2));
    else console.log(list.length ? table(['NAME', 'TYPE', 'LANGUAGE', 'UPDATED'], list.map((c) => [c.name, c.type, c.language, time(c.updatedAt)])) : `no converters in ${t.where}`);
  });
  return 0;
}

/** `cloudbridge token create|list`: API tokens, stored hashed; a new token is printed once. */
import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { AuditLog, CLI_ACTOR } from '../app/audit-log.ts';
import { hashToken } from '../app/auth.ts';
import { loadConfigFile, parseConfigText, type ConfigFile } from '../app/config-file.ts';
import { systemClock } from '../core/clock.ts';
import { CloudbridgeError } from '../core/errors.ts';
import { openStore } from '../store/index.ts';
import type { ApiToken, Store } from '../store/types.ts';
import { parseCommand } from './args.ts';

const HELP = `Usage: cloudbridge token create --name NAME [--role viewer|admin] [--config FILE]
       cloudbridge token list [--config FILE]

Creates an API token (printed once; only its SHA-256 hash is stored) or lists the tokens (names,
roles, dates; never the tokens). viewer tokens may only read (GET); admin tokens may change
everything. The store is the one of --config (default: SQLite at ./data/cloudbridge.db).`;

async function withStore<T>(configFile: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const config: ConfigFile = configFile ? loadConfigFile(configFile) : parseConfigText('{}', process.env);
  const store = await openStore(config.store.postgres
    ? { postgres: { url: config.store.postgres.url } }
    : { sqlite: { path: resolve(config.store.sqlite?.path ?? './data/cloudbridge.db') } });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function runToken(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { name: { type: 'string' }, role: { type: 'string' }, config: { type: 'string', short: 'c' } }, HELP);
  if (!parsed) return 0;
  const v = parsed.values as Record<string, string | undefined>;
  const sub = parsed.positionals[0];
  if (sub === 'list') {
    const tokens = await withStore(v.config, (s) => s.listTokens());
    for (const t of tokens) console.log(`${t.role.padEnd(6)} ${new Date(t.createdAt).toISOString()}  ${t.name}`);
    return 0;
  }
  if (sub !== 'create') {
    console.error(HELP);
    return 2;
  }
  const role = v.role ?? 'viewer';
  if (role !== 'viewer' && role !== 'admin') throw new CloudbridgeError('CONFIG_INVALID', `--role must be viewer or admin, not "${role}"`, { field: '--role' });
  if (!v.name) throw new CloudbridgeError('CONFIG_INVALID', '--name is required (who or what the token is for)', { field: '--name' });
  const token = `cb_${randomBytes(24).toString('base64url')}`;
  const name = v.name;
  const tokenRole: ApiToken['role'] = role;
  await withStore(v.config, async (s) => {
    const created = { id: randomUUID(), name, role: tokenRole, createdAt: Date.now() };
    await s.addToken({ ...created, hash: hashToken(token) });
    await new AuditLog({ store: s, clock: systemClock }).record(CLI_ACTOR, { action: 'create', entityKind: 'token', entityId: created.id, entityName: name, before: null, after: created });
  });
  console.log(token);
  console.error(`${role} token "${name}" created; it is shown only now.`);
  return 0;
}

/** `cloudbridge token create|list|revoke`: API tokens, stored hashed; a new token is printed once. */
import { CloudbridgeError } from '../core/errors.ts';
import { parseCommand, UsageError } from './args.ts';
import { withStore } from './store-context.ts';
import { table, time } from './table.ts';
import { createToken, revokeToken } from './store-changes.ts';

const HELP = `Usage: cloudbridge token create --name NAME [--role viewer|admin] [--config FILE]
       cloudbridge token list [--json] [--config FILE]
       cloudbridge token revoke NAME|ID [--config FILE]

Creates an API token (printed once; only its SHA-256 hash is stored), lists the tokens (id, role,
date, name; never the tokens) or revokes one by name or id. Names are unique. viewer tokens may
only read (GET); admin tokens may change everything; the last admin token cannot be revoked.
The store is the one of --config (default: SQLite at ./data/cloudbridge.db); only the file's store
section is read, so the integrations' environment variables need not be set. A running instance
accepts a new token at once and refuses a revoked one within 10 seconds.`;

export async function runToken(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { name: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string', short: 'c' } }, HELP);
  if (!parsed) return 0;
  const v = parsed.values as Record<string, string | undefined> & { json?: boolean };
  const [sub, target] = parsed.positionals;
  if (sub === 'list') {
    const tokens = await withStore(v.config, ({ store }) => store.listTokens());
    if (v.json) console.log(JSON.stringify(tokens.map(({ id, name, role, createdAt }) => ({ id, name, role, createdAt })), null, 2));
    else console.log(tokens.length ? table(['ID', 'ROLE', 'CREATED', 'NAME'], tokens.map((t) => [t.id, t.role, time(t.createdAt), t.name])) : 'no tokens');
    return 0;
  }
  if (sub === 'revoke') {
    if (!target) throw new UsageError('token revoke needs the NAME or ID of the token (see: cloudbridge token list)');
    const revoked = await withStore(v.config, ({ store }) => revokeToken(store, target));
    console.log(`revoked ${revoked.role} token "${revoked.name}" (${revoked.id})`);
    return 0;
  }
  if (sub !== 'create') {
    console.error(HELP);
    return 2;
  }
  const role = v.role ?? 'viewer';
  if (role !== 'viewer' && role !== 'admin') throw new CloudbridgeError('CONFIG_INVALID', `--role must be viewer or admin, not "${role}"`, { field: '--role' });
  const name = v.name?.trim();
  if (!name) throw new UsageError('token create needs --name NAME (who or what the token is for)');
  const { token } = await withStore(v.config, ({ store }) => createToken(store, name, role));
  console.log(token);
  console.error(`${role} token "${name}" created; it is shown only now.`);
  return 0;
}

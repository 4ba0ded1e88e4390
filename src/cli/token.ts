/**
 * `cloudbridge token create|list|revoke`: API tokens, stored hashed; a new token is printed once.
 * On the store of --config, or on a running instance through its API (--url, --token).
 */
import { CloudbridgeError } from '../core/errors.ts';
import { parseCommand, UsageError } from './args.ts';
import { table, time } from './table.ts';
import { remoteOf, TARGET_HELP, TARGET_OPTIONS, type TargetValues } from './target-options.ts';
import { apiTokens, storeTokens, type TokenTarget } from './token-target.ts';

const HELP = `Usage: cloudbridge token create --name NAME [--role viewer|admin] [options]
       cloudbridge token list [--json] [options]
       cloudbridge token revoke NAME|ID [options]

Creates an API token (printed once; only its SHA-256 hash is stored), lists the tokens (id, role,
date, name; never the tokens) or revokes one by name or id. Names are unique. viewer tokens may
only read (GET); admin tokens may change everything; the last admin token cannot be revoked.
With --url the instance applies a new or revoked token at once and its audit log names the token
of --token as the actor; every token command needs an admin token there. Against the store (no
--url), a running instance on it accepts a new token at once and refuses a revoked one within
10 seconds; the audit log names "cli".

${TARGET_HELP}`;

type Values = TargetValues & { name?: string; role?: string };

function tokensOf(v: Values): TokenTarget {
  const remote = remoteOf(v, 'an admin token: only admins manage tokens');
  return remote ? apiTokens(remote) : storeTokens(v.config);
}

export async function runToken(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { ...TARGET_OPTIONS, name: { type: 'string' }, role: { type: 'string' } }, HELP);
  if (!parsed) return 0;
  const v = parsed.values as Values;
  const [sub, target] = parsed.positionals;
  if (sub === 'list') {
    const tokens = await tokensOf(v).list();
    if (v.json) console.log(JSON.stringify(tokens, null, 2));
    else console.log(tokens.length ? table(['ID', 'ROLE', 'CREATED', 'NAME'], tokens.map((t) => [t.id, t.role, time(t.createdAt), t.name])) : 'no tokens');
    return 0;
  }
  if (sub === 'revoke') {
    if (!target) throw new UsageError('token revoke needs the NAME or ID of the token (see: cloudbridge token list)');
    const revoked = await tokensOf(v).revoke(target);
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
  console.log(await tokensOf(v).create(name, role));
  console.error(`${role} token "${name}" created; it is shown only now.`);
  return 0;
}

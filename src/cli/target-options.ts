/**
 * The options that say what `cloudbridge integrations`, `converters` and `token` work on: the store
 * of --config, or a running instance through its REST API (--url, --token, or CLOUDBRIDGE_URL and
 * CLOUDBRIDGE_TOKEN).
 */
import { apiClient, type ApiClient } from './admin-remote.ts';
import { UsageError, type Options } from './args.ts';

export const TARGET_OPTIONS: Options = { config: { type: 'string', short: 'c' }, url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' } };

export interface TargetValues { config?: string; url?: string; token?: string; json?: boolean }

export const TARGET_HELP = `Where:
  --config FILE   the store of this config file (only its store section is read;
                  default: SQLite at ./data/cloudbridge.db)
  --url URL       a running instance instead, through its REST API (env CLOUDBRIDGE_URL)
  --token T       the API token for --url (env CLOUDBRIDGE_TOKEN)
  --json          print JSON instead of a table`;

/**
 * The running instance of --url, or of CLOUDBRIDGE_URL when --config is not given (an explicit
 * --config wins over the environment); null for the store of --config. `roles` says which token
 * role the command needs, for the message when there is no token.
 */
export function remoteOf(v: TargetValues, roles: string, env: NodeJS.ProcessEnv = process.env): ApiClient | null {
  if (v.url && v.config) throw new UsageError('give either --config (the store) or --url (a running instance), not both');
  const url = v.url ?? (v.config ? undefined : env.CLOUDBRIDGE_URL);
  if (!url && v.token) throw new UsageError('--token is the API token for --url (or CLOUDBRIDGE_URL); without them the command works on the store of --config');
  return url ? apiClient(url, v.token ?? env.CLOUDBRIDGE_TOKEN, roles) : null;
}

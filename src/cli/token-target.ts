/**
 * What `cloudbridge token` works on: the store of --config (changes recorded in the audit log as
 * made by `cli`), or a running instance through its REST API (recorded with the API token's name).
 * Both answer with the API's view of a token: never the token or its hash, except a new one once.
 */
import type { ApiToken } from '../store/types.ts';
import { tokenToRevoke, tokenView, type TokenView } from '../app/token-admin.ts';
import type { ApiClient } from './admin-remote.ts';
import { withStore } from './store-context.ts';
import { createToken, revokeToken } from './store-changes.ts';

export interface TokenTarget {
  /** Oldest first. */
  list(): Promise<TokenView[]>;
  /** The new token (the only time it is shown). */
  create(name: string, role: ApiToken['role']): Promise<string>;
  /** Revokes the token with this id or name; returns what it was. */
  revoke(idOrName: string): Promise<TokenView>;
}

/** The tokens of the store of `configFile` (only its store section is read). */
export function storeTokens(configFile: string | undefined): TokenTarget {
  return {
    list: () => withStore(configFile, async ({ store }) => (await store.listTokens()).map(tokenView)),
    create: (name, role) => withStore(configFile, async ({ store }) => (await createToken(store, name, role)).token),
    revoke: (idOrName) => withStore(configFile, async ({ store }) => tokenView(await revokeToken(store, idOrName))),
  };
}

/** The tokens of a running instance (every call needs an admin token). */
export function apiTokens(api: ApiClient): TokenTarget {
  const list = async (): Promise<TokenView[]> => (await api.call<TokenView[]>('GET', '/tokens')).map(tokenView);
  return {
    list,
    create: async (name, role) => (await api.call<{ token: string }>('POST', '/tokens', { name, role })).token,
    async revoke(idOrName) {
      // The API answers 204 without the token: find it first (with the API's own rules and
      // messages), then revoke exactly that one by id. The instance checks the rules again.
      const target = tokenToRevoke(await list(), idOrName);
      await api.call('DELETE', `/tokens/${encodeURIComponent(target.id)}`);
      return target;
    },
  };
}

/**
 * The rules of API token administration shared by the API (`/api/v1/tokens`) and the CLI
 * (`cloudbridge token`): names are unique, a token is revoked by id or by name, and the last admin
 * token cannot be revoked.
 */
import { CloudbridgeError } from '../core/errors.ts';
import type { ApiToken } from '../store/types.ts';

/** A token as the API and the CLI show it: never its hash (nor the token, shown once at creation). */
export type TokenView = Omit<ApiToken, 'hash'>;

export const tokenView = ({ id, name, role, createdAt }: TokenView): TokenView => ({ id, name, role, createdAt });

/** CONFLICT when another token already has this name (names say who a token is for, and name it for revoking). */
export function assertTokenNameFree(tokens: readonly ApiToken[], name: string): void {
  const taken = tokens.find((t) => t.name === name);
  if (taken) {
    throw new CloudbridgeError('CONFLICT', `a token named "${name}" already exists (id ${taken.id}); choose another name, or revoke that token first`, { field: 'name' });
  }
}

/**
 * The token to revoke, named by id or by name: NOT_FOUND when there is none, CONFLICT when the
 * name is ambiguous (tokens made before names were unique) or it is the last admin token. The CLI
 * applies it to the API's list too (its tokens have no hash), to name what `--url` revokes.
 */
export function tokenToRevoke<T extends Pick<ApiToken, 'id' | 'name' | 'role'>>(tokens: readonly T[], idOrName: string): T {
  const byId = tokens.find((t) => t.id === idOrName);
  const byName = tokens.filter((t) => t.name === idOrName);
  if (!byId && byName.length > 1) {
    throw new CloudbridgeError('CONFLICT', `${byName.length} tokens are named "${idOrName}" (ids ${byName.map((t) => t.id).join(', ')}); revoke one by its id`);
  }
  const target = byId ?? byName[0];
  if (!target) throw new CloudbridgeError('NOT_FOUND', `no token has the id or name "${idOrName}"`);
  if (target.role === 'admin' && tokens.filter((t) => t.role === 'admin').length === 1) {
    throw new CloudbridgeError('CONFLICT', 'this is the last admin token: create another admin token first');
  }
  return target;
}

/**
 * Every change the CLI makes to a store directly (without a running instance's API) goes through
 * here: tokens created and revoked, integrations enabled and disabled. One place, so what is
 * changed by `who: cli` can be recorded (audit) in one spot.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hashToken } from '../app/auth.ts';
import type { ConfigService, IntegrationView } from '../app/config-service.ts';
import { assertTokenNameFree, tokenToRevoke } from '../app/token-admin.ts';
import type { ApiToken, Store } from '../store/types.ts';

/** Who made the changes of this module. */
export const CLI_ACTOR = 'cli';

/** Creates a token; returns it (shown once; only its hash is stored) with its record. */
export async function createToken(store: Store, name: string, role: ApiToken['role']): Promise<{ token: string; record: ApiToken }> {
  assertTokenNameFree(await store.listTokens(), name);
  const token = `cb_${randomBytes(24).toString('base64url')}`;
  const record: ApiToken = { id: randomUUID(), name, role, hash: hashToken(token), createdAt: Date.now() };
  await store.addToken(record);
  return { token, record };
}

/** Revokes the token with this id or name; returns what it was. */
export async function revokeToken(store: Store, idOrName: string): Promise<ApiToken> {
  const target = tokenToRevoke(await store.listTokens(), idOrName);
  await store.deleteToken(target.id);
  return target;
}

/** Enables or disables an integration in the store (a running instance applies it at its next start). */
export async function setIntegrationEnabled(config: ConfigService, idOrName: string, enabled: boolean): Promise<IntegrationView> {
  return config.setEnabled(idOrName, enabled);
}

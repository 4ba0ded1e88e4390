/**
 * Every change the CLI makes to a store directly (without a running instance's API) goes through
 * here: tokens created and revoked, integrations enabled and disabled. Each is recorded in the audit
 * log as made by `cli` (docs/audit.md); an entry that cannot be written fails the command.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AuditLog, CLI_ACTOR } from '../app/audit-log.ts';
import { hashToken } from '../app/auth.ts';
import type { ConfigService, IntegrationView } from '../app/config-service.ts';
import { assertTokenNameFree, tokenToRevoke, tokenView } from '../app/token-admin.ts';
import { systemClock } from '../core/clock.ts';
import type { ApiToken, Store } from '../store/types.ts';

/** The audit log of the CLI's changes to `store` (no logger: a failed entry is thrown). */
export const cliAudit = (store: Store): AuditLog => new AuditLog({ store, clock: systemClock });

/** Creates a token; returns it (shown once; only its hash is stored) with its record. */
export async function createToken(store: Store, name: string, role: ApiToken['role']): Promise<{ token: string; record: ApiToken }> {
  assertTokenNameFree(await store.listTokens(), name);
  const token = `cb_${randomBytes(24).toString('base64url')}`;
  const record: ApiToken = { id: randomUUID(), name, role, hash: hashToken(token), createdAt: Date.now() };
  await store.addToken(record);
  await cliAudit(store).record(CLI_ACTOR, { action: 'create', entityKind: 'token', entityId: record.id, entityName: name, before: null, after: tokenView(record) });
  return { token, record };
}

/** Revokes the token with this id or name; returns what it was. */
export async function revokeToken(store: Store, idOrName: string): Promise<ApiToken> {
  const target = tokenToRevoke(await store.listTokens(), idOrName);
  await store.deleteToken(target.id);
  await cliAudit(store).record(CLI_ACTOR, { action: 'delete', entityKind: 'token', entityId: target.id, entityName: target.name, before: tokenView(target), after: null });
  return target;
}

/** Enables or disables an integration in the store (a running instance applies it at its next start); ConfigService records it. */
export async function setIntegrationEnabled(config: ConfigService, idOrName: string, enabled: boolean): Promise<IntegrationView> {
  return config.setEnabled(idOrName, enabled, CLI_ACTOR);
}

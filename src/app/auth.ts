/**
 * API tokens. The admin token comes from CLOUDBRIDGE_ADMIN_TOKEN, else one is generated at the
 * first start, stored hashed (SHA-256) and printed once. Tokens are compared by hash only, against
 * a copy of the token list in memory: known tokens keep working while the store is unavailable.
 * A known token used when the copy is 10 s old refreshes it in the background, so a token revoked
 * on another instance sharing the store stops working here 10 s later (from the next request on).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CloudbridgeError, toCloudbridgeError } from '../core/errors.ts';
import type { ApiToken, Store } from '../store/types.ts';
import { CONFIG_FILE_ACTOR, type AuditLog } from './audit-log.ts';

export type Role = ApiToken['role'];

/** Who a bearer token is: its role and its name (the actor of the changes it makes, docs/audit.md). */
export interface TokenIdentity {
  role: Role;
  name: string;
}

/** How old the in-memory token list may get before a known token makes it reload. */
export const TOKEN_REFRESH_MS = 10_000;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class TokenAuth {
  private hashes = new Map<string, TokenIdentity>();
  private lastReload = 0;
  private lastRefresh = 0;
  private refreshing: Promise<void> = Promise.resolve();
  /** Why the last reload failed (null: it worked). */
  private reloadError: CloudbridgeError | null = null;
  private readonly store: Store;
  /** Records the admin token added at start (as `config-file`: it comes from the environment or is generated). */
  private readonly audit: AuditLog | undefined;

  constructor(store: Store, audit?: AuditLog) {
    this.store = store;
    this.audit = audit;
  }

  /** Loads tokens; returns a newly generated admin token to print once, or null. */
  async init(env: NodeJS.ProcessEnv, now: number): Promise<string | null> {
    let generated: string | null = null;
    const envToken = env.CLOUDBRIDGE_ADMIN_TOKEN;
    const tokens = await this.store.listTokens();
    let added: ApiToken | null = null;
    if (envToken) {
      if (!tokens.some((t) => t.hash === hashToken(envToken))) {
        added = { id: randomUUID(), name: 'admin (CLOUDBRIDGE_ADMIN_TOKEN)', role: 'admin', hash: hashToken(envToken), createdAt: now };
      }
    } else if (!tokens.some((t) => t.role === 'admin')) {
      generated = `cb_${randomBytes(24).toString('base64url')}`;
      added = { id: randomUUID(), name: 'admin (generated)', role: 'admin', hash: hashToken(generated), createdAt: now };
    }
    if (added) {
      await this.store.addToken(added);
      const { hash: _hash, ...shown } = added;
      await this.audit?.record(CONFIG_FILE_ACTOR, { action: 'create', entityKind: 'token', entityId: added.id, entityName: added.name, before: null, after: shown });
    }
    await this.reload();
    return generated;
  }

  /** Resolves when the background refresh started by roleOf, if any, has ended. */
  refreshed(): Promise<void> {
    return this.refreshing;
  }

  async reload(): Promise<void> {
    this.hashes = new Map((await this.store.listTokens()).map((t) => [t.hash, { role: t.role, name: t.name }]));
  }

  /**
   * The role of a bearer token, or null. An unknown token makes the token list reload (at most
   * once a second), so a token created with `cloudbridge token create` works without a restart.
   * When the store cannot be read then, the token can be neither accepted nor refused:
   * STORE_UNAVAILABLE (503); known tokens do not need the store.
   */
  async roleOf(token: string | undefined, now = Date.now()): Promise<Role | null> {
    return (await this.identify(token, now))?.role ?? null;
  }

  /** The role and name of a bearer token, or null; as roleOf. */
  async identify(token: string | undefined, now = Date.now()): Promise<TokenIdentity | null> {
    if (!token) return null;
    const hash = hashToken(token);
    const known = this.hashes.get(hash);
    if (known) {
      if (now - this.lastRefresh >= TOKEN_REFRESH_MS) {
        this.lastRefresh = now;
        // In the background, so a slow store never delays a request; a failed refresh keeps the copy.
        this.refreshing = this.reload().catch(() => undefined);
      }
      return known;
    }
    if (now - this.lastReload >= 1000) {
      this.lastReload = now;
      try {
        await this.reload();
        this.reloadError = null;
      } catch (err) {
        const cause = toCloudbridgeError(err, 'STORE_UNAVAILABLE');
        this.reloadError = new CloudbridgeError('STORE_UNAVAILABLE', `cannot check this token while the store is unavailable: ${cause.message}`, {}, { cause: err });
      }
    }
    const identity = this.hashes.get(hash);
    if (identity) return identity;
    if (this.reloadError) throw this.reloadError;
    return null;
  }
}

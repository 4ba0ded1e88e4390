/**
 * Credential expiry (docs/operations.md): the expiry of every credential of an integration that
 * can be known (src/core/credential-expiry.ts: certificates and shared access signatures in its
 * config, and what its connector reports at run time) for the status, /metrics and a WARNING
 * event (CREDENTIAL_EXPIRY) `warnDays` before and after it expired, repeated once a day.
 */
import type { ConnectorDefinition } from '../core/connector.ts';
import {
  credentialExpiries, credentialState, expiryWarning, reportedExpiries, type CredentialExpiry, type CredentialStatus,
} from '../core/credential-expiry.ts';
import type { Clock } from '../core/clock.ts';
import type { IntegrationConfig } from '../core/model.ts';
import { decryptConfig } from './integration-secrets.ts';
import type { SecretBox } from './secrets.ts';

export const DEFAULT_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export interface CredentialWatchDeps {
  secrets: SecretBox;
  findConnector: (type: string) => ConnectorDefinition | undefined;
  clock: Clock;
  /** Warn this many days before a credential expires. */
  warnDays: number;
  /** Raises the warning for the integration (log, WARNING event). */
  warn: (integration: IntegrationConfig, message: string, details: Record<string, unknown>) => void;
}

export class CredentialWatch {
  readonly #d: CredentialWatchDeps;
  /** Expiries read from a config object (configs are replaced, never changed, on update). */
  readonly #fromConfig = new WeakMap<IntegrationConfig, CredentialExpiry[]>();
  /** `integration id / credential` → when and in which state it was last warned about. */
  readonly #warned = new Map<string, { at: number; state: string }>();

  constructor(deps: CredentialWatchDeps) {
    this.#d = deps;
  }

  get warnDays(): number {
    return this.#d.warnDays;
  }

  /** The integration's known expiries: its config's, then what its connector reported (`details`). */
  expiries(cfg: IntegrationConfig, details?: Record<string, unknown>): CredentialExpiry[] {
    let own = this.#fromConfig.get(cfg);
    if (own === undefined) {
      const def = this.#d.findConnector(cfg.type);
      try {
        own = def ? credentialExpiries(decryptConfig(def.configSpec, cfg.config, this.#d.secrets)) : [];
      } catch {
        // A secret that cannot be decrypted is the runtime's error to report, not this one's.
        own = [];
      }
      this.#fromConfig.set(cfg, own);
    }
    const reported = reportedExpiries(details).filter((r) => !own.some((o) => o.credential === r.credential));
    return [...own, ...reported];
  }

  /** For the integration status: each credential with its state. */
  status(cfg: IntegrationConfig, details?: Record<string, unknown>): { credentials?: CredentialStatus[] } {
    const now = this.#d.clock.now();
    const list = this.expiries(cfg, details).map((e) => ({ ...e, state: credentialState(e, now, this.#d.warnDays) }));
    return list.length > 0 ? { credentials: list } : {};
  }

  /** Warns about expiring and expired credentials: once a day each, and at once when one turns expired. */
  check(integrations: ReadonlyArray<{ config: IntegrationConfig; details?: Record<string, unknown> }>): void {
    const now = this.#d.clock.now();
    for (const { config, details } of integrations) {
      for (const e of this.expiries(config, details)) {
        const message = expiryWarning(e, now, this.#d.warnDays);
        const key = `${config.id}/${e.credential}`;
        if (message === null) {
          this.#warned.delete(key);
          continue;
        }
        const state = credentialState(e, now, this.#d.warnDays);
        const last = this.#warned.get(key);
        if (last && last.state === state && now - last.at < DAY_MS) continue;
        this.#warned.set(key, { at: now, state });
        this.#d.warn(config, message, { credential: e.credential, expiresAt: e.expiresAt, state });
      }
    }
  }
}

/**
 * Credential expiry (docs/operations.md): the expiry of every credential of an integration or a
 * forwarder that can be known (src/core/credential-expiry.ts: certificates and shared access
 * signatures in its config, and what an integration's connector reports at run time), and of the
 * certificate the API serves (server.tls.cert, set at start and by a reload that renews it), for the
 * status, /metrics and one WARNING event (CREDENTIAL_EXPIRY) per credential `warnDays` before
 * and after it expired, repeated once a day. Connectors do not warn about expiry themselves, so
 * this is the only warning a user alerting on expiring credentials gets.
 */
import type { ConnectorDefinition } from '../core/connector.ts';
import {
  certificateExpiry, credentialExpiries, credentialState, expiryWarning, reportedExpiries, type CredentialExpiry, type CredentialStatus,
} from '../core/credential-expiry.ts';
import type { Clock } from '../core/clock.ts';
import type { ForwarderDefinition } from '../core/forwarder.ts';
import type { IntegrationConfig } from '../core/model.ts';
import type { RunningForwarder } from './forwarder-manager.ts';
import { decryptConfig } from './integration-secrets.ts';
import type { SecretBox } from './secrets.ts';

export const DEFAULT_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * Who holds a credential: an integration (by id and name), a forwarder (by name) or the server
 * (the API's HTTPS listener, named `api`).
 */
export type CredentialOwner = { kind: 'integration'; id: string; name: string } | { kind: 'forwarder'; name: string } | { kind: 'server'; name: 'api' };

const SERVER: CredentialOwner = { kind: 'server', name: 'api' };
/** The config field of the served certificate, as the messages and the gauge name it. */
const SERVER_CERT_FIELD = 'server.tls.cert';
const SERVER_CERT_FIX = 'renew it and replace server.tls.cert and server.tls.key (same paths are fine); `systemctl reload cloudbridge` (SIGHUP) serves it without a restart';

export interface CredentialWatchDeps {
  secrets: SecretBox;
  findConnector: (type: string) => ConnectorDefinition | undefined;
  findForwarder?: (type: string) => Pick<ForwarderDefinition, 'renewAdvice'> | undefined;
  clock: Clock;
  /** Warn this many days before a credential expires (a reload may change it: setWarnDays). */
  warnDays: number;
  /** Raises the warning for the owner (log, WARNING event). */
  warn: (owner: CredentialOwner, message: string, details: Record<string, unknown>) => void;
}

/** The expiries of a decrypted config, each with the definition's renewal advice when it has one. */
function withAdvice(config: unknown, advice: ((credential: string) => string | undefined) | undefined): CredentialExpiry[] {
  return credentialExpiries(config).map((e) => {
    const fix = advice?.(e.credential);
    return fix ? { ...e, fix } : e;
  });
}

/**
 * The warnings a config would raise now (no once-a-day bookkeeping): for a save's answer and for
 * `config lint`. `owner` is how the message starts, e.g. `integration "plant"`.
 */
export function configExpiryWarnings(
  owner: string, config: unknown, advice: ((credential: string) => string | undefined) | undefined, now: number, warnDays: number,
): string[] {
  return withAdvice(config, advice).flatMap((e) => expiryWarning(owner, e, now, warnDays) ?? []);
}

function ownerLabel(owner: CredentialOwner): string {
  return owner.kind === 'server' ? 'server' : `${owner.kind} "${owner.name}"`;
}

export class CredentialWatch {
  readonly #d: CredentialWatchDeps;
  /** Expiries read from a config object (configs are replaced, never changed, on update). */
  readonly #fromConfig = new WeakMap<object, CredentialExpiry[]>();
  /** `owner / credential` → when and in which state it was last warned about. */
  readonly #warned = new Map<string, { at: number; state: string }>();
  #warnDays: number;
  /** The expiry of the certificate the API serves (none over plain HTTP). */
  #server: CredentialExpiry[] = [];

  constructor(deps: CredentialWatchDeps) {
    this.#d = deps;
    this.#warnDays = deps.warnDays;
  }

  get warnDays(): number {
    return this.#warnDays;
  }

  /** A reloaded credentialExpiry.warnDays: the status, the save warnings and the next check use it. */
  setWarnDays(days: number): void {
    this.#warnDays = days;
  }

  /** The integration's known expiries: its config's, then what its connector reported (`details`). */
  expiries(cfg: IntegrationConfig, details?: Record<string, unknown>): CredentialExpiry[] {
    let own = this.#fromConfig.get(cfg);
    if (own === undefined) {
      const def = this.#d.findConnector(cfg.type);
      try {
        own = def ? withAdvice(decryptConfig(def.configSpec, cfg.config, this.#d.secrets), def.renewAdvice?.bind(def)) : [];
      } catch {
        // A secret that cannot be decrypted is the runtime's error to report, not this one's.
        own = [];
      }
      this.#fromConfig.set(cfg, own);
    }
    const reported = reportedExpiries(details).filter((r) => !own.some((o) => o.credential === r.credential));
    return [...own, ...reported];
  }

  /** A forwarder's known expiries: the certificates in its config (tls.cert, tls.ca). */
  forwarderExpiries(f: RunningForwarder): CredentialExpiry[] {
    let own = this.#fromConfig.get(f.config);
    if (own === undefined) {
      const def = this.#d.findForwarder?.(f.type);
      own = withAdvice(f.config, def?.renewAdvice?.bind(def));
      this.#fromConfig.set(f.config, own);
    }
    return own;
  }

  /**
   * The certificate (PEM, with its intermediates) the API serves, at start and after a reload
   * renewed it (undefined: plain HTTP): it replaces the one watched before.
   */
  setServerCertificate(pem: string | undefined): void {
    const expiry = pem === undefined ? null : certificateExpiry(SERVER_CERT_FIELD, pem);
    this.#server = expiry ? [{ ...expiry, fix: SERVER_CERT_FIX }] : [];
  }

  /** The served certificate's expiry (empty over plain HTTP). */
  serverExpiries(): CredentialExpiry[] {
    return this.#server;
  }

  /** The warnings a config about to be saved would raise (no once-a-day bookkeeping). */
  warningsFor(name: string, def: ConnectorDefinition, config: Record<string, unknown>): string[] {
    return configExpiryWarnings(`integration "${name}"`, config, def.renewAdvice?.bind(def), this.#d.clock.now(), this.#warnDays);
  }

  /** For the integration status: each credential with its state. */
  status(cfg: IntegrationConfig, details?: Record<string, unknown>): { credentials?: CredentialStatus[] } {
    const now = this.#d.clock.now();
    const list = this.expiries(cfg, details).map((e): CredentialStatus => ({
      credential: e.credential, expiresAt: e.expiresAt, what: e.what, state: credentialState(e, now, this.#warnDays),
    }));
    return list.length > 0 ? { credentials: list } : {};
  }

  /**
   * Warns about expiring and expired credentials of the integrations and forwarders: once a day
   * each, and at once when one turns expired.
   */
  check(
    integrations: ReadonlyArray<{ config: IntegrationConfig; details?: Record<string, unknown> }>,
    forwarders: readonly RunningForwarder[] = [],
  ): void {
    const now = this.#d.clock.now();
    for (const { config, details } of integrations) {
      this.#checkOwner({ kind: 'integration', id: config.id, name: config.name }, `integration:${config.id}`, this.expiries(config, details), now);
    }
    for (const f of forwarders) this.#checkOwner({ kind: 'forwarder', name: f.name }, `forwarder:${f.name}`, this.forwarderExpiries(f), now);
  }

  /** Warns about the served certificate as `check` does (a renewed one is no longer warned about). */
  checkServer(): void {
    this.#checkOwner(SERVER, 'server:api', this.#server, this.#d.clock.now());
  }

  #checkOwner(owner: CredentialOwner, key: string, expiries: CredentialExpiry[], now: number): void {
    for (const e of expiries) {
      const message = expiryWarning(ownerLabel(owner), e, now, this.#warnDays);
      const credentialKey = `${key}/${e.credential}`;
      if (message === null) {
        this.#warned.delete(credentialKey);
        continue;
      }
      const state = credentialState(e, now, this.#warnDays);
      const last = this.#warned.get(credentialKey);
      if (last && last.state === state && now - last.at < DAY_MS) continue;
      this.#warned.set(credentialKey, { at: now, state });
      const daysLeft = Math.ceil((e.expiresAt - now) / DAY_MS);
      this.#d.warn(owner, message, { credential: e.credential, expiresAt: e.expiresAt, daysLeft, state });
    }
  }
}

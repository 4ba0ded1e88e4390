/**
 * The app's credential watch (src/app/credential-watch.ts) for tests, on a clock the test moves:
 * integrations are stored as the app stores them (secret fields encrypted), and every warning it
 * raises is collected.
 */
import { randomBytes } from 'node:crypto';
import { encryptConfig } from '../../src/app/integration-secrets.ts';
import { CredentialWatch, type CredentialOwner } from '../../src/app/credential-watch.ts';
import { SecretBox } from '../../src/app/secrets.ts';
import { findConnector } from '../../src/connectors/registry.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { IntegrationConfig } from '../../src/core/model.ts';
import { findForwarder } from '../../src/forwarders/registry.ts';

export interface RaisedWarning {
  owner: CredentialOwner;
  message: string;
  details: Record<string, unknown>;
}

export interface WatchUnderTest {
  watch: CredentialWatch;
  warnings: RaisedWarning[];
  /** Moves the watch's clock. */
  advance(ms: number): void;
  /** An integration of `type` with this (plain) config, as the store holds it. */
  integration(name: string, type: string, config: object): IntegrationConfig;
}

export function watchUnderTest(warnDays = 30): WatchUnderTest {
  const secrets = new SecretBox(randomBytes(32));
  let offset = 0;
  const warnings: RaisedWarning[] = [];
  const watch = new CredentialWatch({
    secrets, findConnector, findForwarder, warnDays,
    clock: { ...systemClock, now: () => Date.now() + offset },
    warn: (owner, message, details) => warnings.push({ owner, message, details }),
  });
  return {
    watch, warnings,
    advance: (ms) => { offset += ms; },
    integration(name, type, config) {
      const def = findConnector(type);
      if (!def) throw new Error(`unknown connector type ${type}`);
      return {
        id: `id-${name}`, name, type, enabled: true, uplinkConverterId: 'dec', downlinkConverterId: null, allowCreateDevices: true,
        debug: { failures: false, allUntil: 0 }, metadata: {}, createdAt: 0, updatedAt: 0,
        config: encryptConfig(def.configSpec, config as Record<string, unknown>, secrets),
      };
    },
  };
}

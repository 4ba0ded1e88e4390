/**
 * What `cloudbridge integrations` and `converters` work on: the store of --config directly, or a
 * running instance through its REST API (--url). Both answer with the API's views (secrets "***").
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ConfigService, type IntegrationView } from '../app/config-service.ts';
import type { IntegrationManager } from '../app/integration-manager.ts';
import { SecretBox } from '../app/secrets.ts';
import { loadStoreSection, masterKeyFileOf, storeLocationOf, storeOptionsOf, type StoreSection } from '../app/store-section.ts';
import { connectorDefinitions } from '../connectors/registry.ts';
import { systemClock } from '../core/clock.ts';
import type { CheckResult } from '../core/connector.ts';
import { CloudbridgeError } from '../core/errors.ts';
import type { ConverterConfig } from '../core/model.ts';
import { createDownlinkRunner, createUplinkRunner } from '../converters/index.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { cliAudit, setIntegrationEnabled } from './store-changes.ts';

export interface AdminTarget {
  /** The store location or the instance's URL, for messages. */
  readonly where: string;
  /** True when changes reach the running integrations at once (the API); false for the store. */
  readonly live: boolean;
  listIntegrations(): Promise<IntegrationView[]>;
  integration(idOrName: string): Promise<IntegrationView>;
  setEnabled(idOrName: string, enabled: boolean): Promise<IntegrationView>;
  check(idOrName: string): Promise<CheckResult>;
  listConverters(): Promise<ConverterConfig[]>;
  close(): Promise<void>;
}

/**
 * The integration manager of a process that runs no integration: the CLI changes the store only.
 * There is no status to report (status null), and nothing starts or stops here.
 */
const noRuntimes: Pick<IntegrationManager, 'status' | 'apply' | 'remove' | 'converterChanged' | 'all'> = {
  status: () => null,
  apply: async () => undefined,
  remove: async () => undefined,
  converterChanged: async () => undefined,
  all: () => [],
};

/** The master key of the store, when there is one to use (never a new key file: the CLI creates none). */
function existingSecrets(section: StoreSection, env: NodeJS.ProcessEnv): SecretBox | null {
  const keyFile = masterKeyFileOf(section);
  return env.CLOUDBRIDGE_MASTER_KEY || existsSync(keyFile) ? SecretBox.fromEnvOrFile(env, keyFile) : null;
}

class StoreTarget implements AdminTarget {
  readonly live = false;
  readonly where: string;
  readonly #store: Store;
  readonly #service: ConfigService;
  readonly #hasKey: boolean;
  readonly #keyFile: string;

  constructor(store: Store, section: StoreSection, env: NodeJS.ProcessEnv) {
    this.where = storeLocationOf(section);
    this.#store = store;
    const secrets = existingSecrets(section, env);
    this.#hasKey = secrets !== null;
    this.#keyFile = masterKeyFileOf(section);
    this.#service = new ConfigService({
      store, connectors: connectorDefinitions, clock: systemClock,
      // Without a master key nothing is decrypted (check refuses first), so any key does.
      secrets: secrets ?? new SecretBox(randomBytes(32)),
      converters: { uplink: (cfg) => createUplinkRunner(cfg), downlink: createDownlinkRunner },
      manager: noRuntimes as IntegrationManager,
      audit: cliAudit(store),
    });
  }

  listIntegrations(): Promise<IntegrationView[]> { return this.#service.listIntegrationViews(); }
  integration(idOrName: string): Promise<IntegrationView> { return this.#service.integrationView(idOrName); }
  setEnabled(idOrName: string, enabled: boolean): Promise<IntegrationView> { return setIntegrationEnabled(this.#service, idOrName, enabled); }
  listConverters(): Promise<ConverterConfig[]> { return this.#store.listConverters(); }

  async check(idOrName: string): Promise<CheckResult> {
    if (!this.#hasKey) {
      throw new CloudbridgeError('CONFIG_INVALID', `the integration's secrets cannot be read: no master key (CLOUDBRIDGE_MASTER_KEY is not set and there is no ${this.#keyFile}); set CLOUDBRIDGE_MASTER_KEY as the running instance has it, or use --url`, { field: 'CLOUDBRIDGE_MASTER_KEY' });
    }
    return this.#service.checkConnection({ idOrName }, AbortSignal.timeout(20_000));
  }

  close(): Promise<void> { return this.#store.close(); }
}

/** The store of `configFile` (only its store section is read; default SQLite at ./data/cloudbridge.db). */
export async function storeTarget(configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<AdminTarget> {
  const section = loadStoreSection(configFile, env);
  return new StoreTarget(await openStore(storeOptionsOf(section)), section, env);
}

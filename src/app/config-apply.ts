/**
 * Applies a config file (start and every reload): reads what the store holds, plans the changes
 * (config-plan.ts, the same plan `config lint --diff` prints) and executes them: forwarders,
 * converters and integrations created or updated through the services that validate them (only
 * changed objects restart), then, in declarative mode, the integrations, converters and forwarders
 * the file no longer has stopped and deleted. A plan with problems changes nothing.
 */
import type { ConnectorDefinition } from '../core/connector.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../store/types.ts';
import { CONFIG_FILE_ACTOR } from './audit-log.ts';
import type { ConfigFile } from './config-file.ts';
import { planConfig, type ConfigPlan, type CurrentState, type PlanDeps } from './config-plan.ts';
import type { ConfigService } from './config-service.ts';
import { loadForwarders } from './forwarder-config.ts';
import type { ForwarderManager } from './forwarder-manager.ts';
import { decryptConfig } from './integration-secrets.ts';
import type { IntegrationInput } from './schemas.ts';
import type { SecretBox } from './secrets.ts';
import { configError } from './validate.ts';

/** The store's converters, integrations and forwarders, secrets decrypted. */
export async function readCurrent(store: Store, secrets: SecretBox, deps: PlanDeps): Promise<CurrentState> {
  const integrations = (await store.listIntegrations()).map((i) => {
    const def: ConnectorDefinition | undefined = deps.connectors.find((d) => d.type === i.type);
    return def ? { ...i, config: decryptConfig(def.configSpec, i.config, secrets) } : i;
  });
  return {
    converters: await store.listConverters(),
    integrations,
    forwarders: (await loadForwarders(store, secrets, deps.findForwarder)).entries,
  };
}

export interface ApplyDeps extends PlanDeps {
  store: Store;
  secrets: SecretBox;
  configService: ConfigService;
  forwarders: ForwarderManager;
  log: Logger;
}

/** Plans `config` against the store and executes the plan; returns it. */
export async function applyConfigFile(config: ConfigFile, deps: ApplyDeps): Promise<ConfigPlan> {
  const plan = await planConfig(config, await readCurrent(deps.store, deps.secrets, deps), deps);
  if (plan.problems.length > 0) throw configError(plan.problems);
  for (const change of plan.changes) {
    const i = change.index ?? -1;
    if (change.action === 'unchanged') continue;
    if (change.action === 'delete') {
      deps.log.info({ kind: change.kind, name: change.name }, `config mode declarative: deleting ${change.kind} "${change.name}", which the config file no longer has`);
      if (change.kind === 'integration') await deps.configService.deleteIntegration(change.name, CONFIG_FILE_ACTOR);
      else if (change.kind === 'converter') await deps.configService.deleteConverter(change.name, CONFIG_FILE_ACTOR);
      else await deps.forwarders.remove(change.name, CONFIG_FILE_ACTOR);
    } else if (change.kind === 'forwarder') {
      const { warnings } = await deps.forwarders.put(config.forwarders?.[i], CONFIG_FILE_ACTOR, `forwarders[${i}]`);
      for (const w of warnings) deps.log.warn(w);
    } else if (change.kind === 'converter') {
      await deps.configService.upsertConverter(config.converters[i] as ConfigFile['converters'][number], `converters[${i}]`, CONFIG_FILE_ACTOR);
    } else {
      await deps.configService.upsertIntegration(config.integrations[i] as IntegrationInput, `integrations[${i}]`, CONFIG_FILE_ACTOR);
    }
  }
  return plan;
}

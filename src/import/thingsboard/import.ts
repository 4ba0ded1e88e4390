/**
 * Import of ThingsBoard integration and converter exports: the entry point. Reads the exports,
 * imports the converters, maps each integration (the eight cloud types and MQTT) to its Cloudbridge
 * connector, and returns the config with its YAML and the report (environment variables to set,
 * fields without equivalent, TBEL lines to port, notes, and the entities skipped with the reason).
 */
import { cloudbridgeName, importConverter, type ImportedConverter } from './converters.ts';
import { mappingFor, TYPE_MAPPINGS, type MapContext } from './integrations/index.ts';
import { readExports, type ExportInput } from './read-exports.ts';
import { SecretSink } from './secrets.ts';
import { toYaml } from './to-yaml.ts';
import type { ImportResult, IntegrationOut, SecretMode, Skipped, TbConverter, TbelReport, TbIntegration, Unmapped } from './types.ts';

export type { ExportInput } from './read-exports.ts';

export interface ImportOptions {
  /** `env` (default): secrets as `${NAME}` references; `values`: the values (for applying through the API). */
  secrets?: SecretMode;
  /** Values mode: values for the variables the export has no value for (e.g. an IoT Hub service connection string). */
  env?: Record<string, string>;
}

const SYS_PROP_TYPES = new Set(['AZURE_EVENT_HUB', 'AZURE_SERVICE_BUS']);

/** Makes `name` unique among `taken` (adds " 2", " 3"...). */
function unique(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name} ${n}`;
  taken.add(candidate);
  return candidate;
}

function converterKey(c: TbConverter): string {
  return c.id?.id ?? `name:${c.name}`;
}

export function importThingsBoard(inputs: ExportInput[], options: ImportOptions = {}): ImportResult {
  const { entities, skipped } = readExports(inputs);
  const unmapped: Unmapped[] = [];
  const warnings: string[] = [];
  const tbel: TbelReport[] = [];
  const sink = new SecretSink(options.secrets ?? 'env', options.env);
  const converters = new Map<string, ImportedConverter>();
  const converterNames = new Set<string>();
  for (const e of entities) {
    if (e.kind !== 'converter' || converters.has(converterKey(e.entity))) continue;
    const result = importConverter(e.entity, unmapped, warnings);
    if ('error' in result) {
      skipped.push({ source: e.source, entity: `converter "${e.entity.name}"`, reason: result.error });
      continue;
    }
    result.out.name = unique(result.out.name, converterNames);
    if (result.tbel) tbel.push({ ...result.tbel, converter: result.out.name });
    converters.set(converterKey(e.entity), result);
  }
  const integrations: IntegrationOut[] = [];
  const integrationNames = new Set<string>();
  for (const e of entities) {
    if (e.kind !== 'integration') continue;
    const out = importIntegration(e.entity, converters, { unmapped, warnings, sink, skipped, source: e.source, names: integrationNames });
    if (out) integrations.push(out);
  }
  const used = new Set(integrations.flatMap((i) => [i.uplinkConverter, i.downlinkConverter]));
  const config = { converters: [...converters.values()].map((c) => c.out), integrations };
  for (const c of config.converters) if (!used.has(c.name)) warnings.push(`converter "${c.name}" is imported but no imported integration uses it`);
  const result = { config, env: sink.env, unmapped, tbel, warnings, skipped };
  return { ...result, yaml: toYaml(result, [...new Set(inputs.map((i) => i.source))]) };
}

interface Sinks {
  unmapped: Unmapped[];
  warnings: string[];
  sink: SecretSink;
  skipped: Skipped[];
  source: string;
  names: Set<string>;
}

function importIntegration(tb: TbIntegration, converters: Map<string, ImportedConverter>, s: Sinks): IntegrationOut | undefined {
  const entity = `integration "${tb.name}"`;
  const mapping = mappingFor(tb.type);
  if (!mapping) {
    s.skipped.push({ source: s.source, entity, reason: `type ${tb.type} is not one of the integration types Cloudbridge imports (${TYPE_MAPPINGS.map((m) => m.tbType).join(', ')})` });
    return undefined;
  }
  const uplinkId = tb.defaultConverterId?.id;
  const uplink = uplinkId ? converters.get(uplinkId) : undefined;
  if (!uplink || uplink.out.type !== 'uplink') {
    s.skipped.push({ source: s.source, entity, reason: uplinkId ? `its uplink converter (defaultConverterId ${uplinkId}) is not among the exports: export that converter too (Data converters → Export) and pass both files` : 'it has no uplink converter (defaultConverterId)' });
    return undefined;
  }
  const downlinkId = tb.downlinkConverterId?.id;
  let downlink = downlinkId ? converters.get(downlinkId) : undefined;
  if (downlinkId && (!downlink || downlink.out.type !== 'downlink')) {
    s.warnings.push(`${entity}: its downlink converter (downlinkConverterId ${downlinkId}) is not among the exports; imported without a downlink converter`);
    downlink = undefined;
  }
  const name = unique(cloudbridgeName(tb.name), s.names);
  if (name !== tb.name) s.warnings.push(`${entity} is named "${name}" in Cloudbridge`);
  const { metadata, ...configuration } = tb.configuration;
  const ctx: MapContext = { tb, name, entity, secrets: s.sink, unmapped: s.unmapped, warnings: s.warnings, hasDownlink: downlink !== undefined };
  const mapped = mapping.map(configuration, ctx);
  const common = commonFields(tb, entity, s.unmapped);
  const pending = [uplink, mapped.keepDownlink ? downlink : undefined].filter((c) => c?.needsPort).map((c) => `"${c?.out.name}"`);
  let enabled = tb.enabled === true;
  if (enabled && pending.length > 0) {
    enabled = false;
    s.warnings.push(`${entity} is imported disabled: its converter ${pending.join(' and ')} is TBEL and must be ported to JavaScript first`);
  }
  if (SYS_PROP_TYPES.has(tb.type) && uplink.out.script.includes('sysProp:')) {
    s.warnings.push(`${entity}: its decoder reads "sysProp:<name>" metadata keys; Cloudbridge passes them as "<name>" (e.g. metadata["iothub-connection-device-id"], also metadata.deviceId for IoT Hub messages): change those keys in converter "${uplink.out.name}"`);
  }
  return {
    name, type: mapping.type, enabled,
    uplinkConverter: uplink.out.name,
    ...(mapped.keepDownlink && downlink ? { downlinkConverter: downlink.out.name } : {}),
    ...common,
    metadata: Object.fromEntries(Object.entries(metadata && typeof metadata === 'object' ? metadata : {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
    config: mapped.config,
  };
}

function commonFields(tb: TbIntegration, entity: string, unmapped: Unmapped[]): Pick<IntegrationOut, 'allowCreateDevices' | 'debug'> {
  const drop = (field: string, reason: string): void => { unmapped.push({ entity, field, reason }); };
  if (tb.remote) drop('remote', 'Cloudbridge runs every integration itself ("execute remotely" has no equivalent: run Cloudbridge where the remote integration ran)');
  if (tb.routingKey) drop('routingKey', 'the integration key identifies remote integrations and HTTP endpoints in ThingsBoard; not used');
  if (tb.secret) drop('secret', 'the integration secret authenticates remote integrations in ThingsBoard; not used (and not written)');
  if (tb.edgeTemplate) drop('edgeTemplate', 'no edge templates: run Cloudbridge beside each edge instead');
  if (tb.additionalInfo?.description) drop('additionalInfo.description', 'integrations have no description field');
  const d = tb.debugSettings ?? {};
  if (d.allEnabled || tb.debugMode) drop(d.allEnabled ? 'debugSettings.allEnabled' : 'debugMode', '"debug all" is a time-boxed window; turn it on when needed with debug.allMinutes (API or config)');
  return { allowCreateDevices: tb.allowCreateDevicesOrAssets === true, debug: { failures: d.failuresEnabled ?? true } };
}

/**
 * Shapes of the ThingsBoard import: the ThingsBoard entities as exported (only the fields the
 * import reads) and the report it returns (Cloudbridge config, env vars to set, what has no
 * equivalent, TBEL lines to port, warnings, skipped entities).
 */

/** `{entityType, id}` as ThingsBoard writes entity ids. */
export interface TbId {
  entityType?: string;
  id: string;
}

export interface TbConverter {
  id?: TbId;
  name: string;
  type: 'UPLINK' | 'DOWNLINK';
  converterVersion?: number;
  integrationType?: string;
  debugSettings?: unknown;
  debugMode?: boolean;
  edgeTemplate?: boolean;
  configuration: Record<string, unknown>;
}

export interface TbIntegration {
  id?: TbId;
  name: string;
  type: string;
  enabled?: boolean | null;
  remote?: boolean | null;
  allowCreateDevicesOrAssets?: boolean | null;
  edgeTemplate?: boolean | null;
  debugMode?: boolean | null;
  debugSettings?: { failuresEnabled?: boolean; allEnabled?: boolean; allEnabledUntil?: number } | null;
  defaultConverterId?: TbId | null;
  downlinkConverterId?: TbId | null;
  routingKey?: string | null;
  secret?: string | null;
  configuration: Record<string, unknown>;
  additionalInfo?: { description?: string } | null;
}

/** One entity found in an export file. */
export type TbEntity = { kind: 'converter'; source: string; entity: TbConverter } | { kind: 'integration'; source: string; entity: TbIntegration };

/** An environment variable the imported config refers to (`${NAME}`). */
export interface EnvVar {
  name: string;
  /** The integration it belongs to. */
  integration: string;
  /** The Cloudbridge config field, e.g. `config.secretAccessKey`. */
  field: string;
  description: string;
  /** True when the export holds the value (apply uses it); false when the user must supply it. */
  inExport: boolean;
}

export interface Unmapped {
  /** `integration "name"` or `converter "name"`. */
  entity: string;
  /** The ThingsBoard field, e.g. `configuration.sqsConfiguration.pollingPeriodSeconds`. */
  field: string;
  reason: string;
}

export interface TbelLine {
  line: number;
  text: string;
  why: string;
}

export interface TbelReport {
  converter: string;
  /** `ported-as-is`: no TBEL-only construct found, the source runs as JavaScript unchanged; `needs-port`: a placeholder that throws, with the TBEL source as comments. */
  outcome: 'ported-as-is' | 'needs-port';
  lines: TbelLine[];
}

/** An entity that could not be imported (the others still are). */
export interface Skipped {
  source: string;
  entity: string;
  reason: string;
}

export interface ConverterOut {
  name: string;
  type: 'uplink' | 'downlink';
  language: 'javascript';
  script: string;
}

export interface IntegrationOut {
  name: string;
  type: string;
  enabled: boolean;
  uplinkConverter: string;
  downlinkConverter?: string;
  allowCreateDevices: boolean;
  debug: { failures: boolean };
  metadata: Record<string, string>;
  config: Record<string, unknown>;
}

export interface ImportResult {
  config: { converters: ConverterOut[]; integrations: IntegrationOut[] };
  yaml: string;
  env: EnvVar[];
  unmapped: Unmapped[];
  tbel: TbelReport[];
  warnings: string[];
  skipped: Skipped[];
}

/** How secrets are written: `${ENV}` references (config file) or their values (applied through the API). */
export type SecretMode = 'env' | 'values';

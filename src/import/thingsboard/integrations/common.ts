/**
 * What every per-type mapping uses: a reader over a ThingsBoard configuration object that records
 * which fields were read, so that every field left unread (and not empty) is reported as having no
 * equivalent; and the context of the integration being mapped (its names, secrets, report lists).
 */
import { parseAzureConnectionString } from '../../../connectors/azure-common/index.ts';
import type { SecretSink } from '../secrets.ts';
import type { TbIntegration, Unmapped } from '../types.ts';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface MapContext {
  tb: TbIntegration;
  /** The Cloudbridge integration name. */
  name: string;
  /** `integration "<ThingsBoard name>"`, for the report. */
  entity: string;
  secrets: SecretSink;
  unmapped: Unmapped[];
  warnings: string[];
  /** True when the ThingsBoard integration has a downlink converter. */
  hasDownlink: boolean;
}

export interface MappedConfig {
  config: Obj;
  /** False when the downlink converter is not carried over (the connector sends downlinks elsewhere). */
  keepDownlink: boolean;
}

export interface TypeMapping {
  /** ThingsBoard's integration type, e.g. AWS_SQS. */
  tbType: string;
  /** The Cloudbridge connector type, e.g. aws-sqs. */
  type: string;
  /** Maps `configuration` (without metadata); every field of it left unread is reported as unmapped. */
  map(configuration: Obj, ctx: MapContext): MappedConfig;
}

/**
 * A mapping whose `map` reads the configuration through `top` (a Fields over `configuration`);
 * what it leaves unread (and not empty) is reported afterwards.
 */
export function typeMapping(tbType: string, type: string, map: (top: Fields, ctx: MapContext) => MappedConfig): TypeMapping {
  return {
    tbType, type,
    map(configuration, ctx) {
      const top = new Fields(configuration, 'configuration', ctx);
      const mapped = map(top, ctx);
      top.rest();
      return mapped;
    },
  };
}

/** Fields ThingsBoard's UI keeps for its own bookkeeping: dropped without a report line. */
const BOOKKEEPING = /FileName$/;

export class Fields {
  private readonly obj: Obj;
  private readonly path: string;
  private readonly ctx: MapContext;
  private readonly read = new Set<string>();

  constructor(obj: unknown, path: string, ctx: MapContext) {
    this.obj = isObj(obj) ? obj : {};
    this.path = path;
    this.ctx = ctx;
  }

  raw(key: string): unknown {
    this.read.add(key);
    return this.obj[key];
  }

  /** A non-empty string, else undefined. */
  str(key: string): string | undefined {
    const v = this.raw(key);
    if (typeof v === 'number') return String(v);
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  }

  num(key: string): number | undefined {
    const v = this.raw(key);
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    return typeof v === 'boolean' ? v : undefined;
  }

  child(key: string): Fields {
    return new Fields(this.raw(key), `${this.path}.${key}`, this.ctx);
  }

  /** Reports a field as having no equivalent (when it is set). */
  drop(key: string, reason: string): void {
    const v = this.raw(key);
    if (v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0)) return;
    this.ctx.unmapped.push({ entity: this.ctx.entity, field: `${this.path}.${key}`, reason });
  }

  /** Every field not read and not empty: reported as having no equivalent. */
  rest(): void {
    for (const [key, v] of Object.entries(this.obj)) {
      if (this.read.has(key) || BOOKKEEPING.test(key) || v === undefined || v === null || v === '') continue;
      if (isObj(v) && Object.keys(v).length === 0) continue;
      this.ctx.unmapped.push({ entity: this.ctx.entity, field: `${this.path}.${key}`, reason: 'no Cloudbridge equivalent' });
    }
  }
}

/** The parts of an Azure connection string, or undefined when it does not parse (the connector's validation then says why). */
export function azureConnection(cs: string | undefined): ReturnType<typeof parseAzureConnectionString> | undefined {
  if (!cs) return undefined;
  try {
    return parseAzureConnectionString(cs);
  } catch {
    return undefined;
  }
}

/** `secret` of the context's sink for this integration (`parent`: the object of `config` it sits in); omitted when it has no value (values mode). */
export function putSecret(config: Obj, key: string, ctx: MapContext, description: string, value: string | undefined, parent?: string): void {
  const v = ctx.secrets.secret({ tbType: ctx.tb.type, integration: ctx.name, field: key, path: parent ? `${parent}.${key}` : key, description, value });
  if (v !== undefined) config[key] = v;
}

/** MQTT topic filters `[{filter, qos}]` as ThingsBoard stores them. */
export function topicFilters(v: unknown): Array<{ filter: string; qos: 0 | 1 }> {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).filter((f) => typeof f.filter === 'string' && f.filter !== '')
    .map((f) => ({ filter: String(f.filter), qos: f.qos === 0 ? 0 : 1 }));
}

/** ThingsBoard's `protocolVersion` (`MQTT_3_1`, `MQTT_3_1_1`, `MQTT_5`) as Cloudbridge's `protocolVersion` (4 or 5), written when set. */
export function putProtocolVersion(config: Obj, cc: Fields, ctx: MapContext): void {
  const version = cc.str('protocolVersion');
  if (version === 'MQTT_5') config.protocolVersion = 5;
  else if (version) {
    config.protocolVersion = 4;
    if (version === 'MQTT_3_1') ctx.warnings.push(`${ctx.entity}: MQTT 3.1 is not offered; MQTT 3.1.1 is used`);
  }
}

/** `connectTimeoutSec` as `connectTimeoutMs` (within the spec's 100 ms to 300 s); below 1 s ThingsBoard used its default of 10 s, so nothing is written. */
export function putConnectTimeout(config: Obj, cc: Fields): void {
  const timeout = cc.num('connectTimeoutSec');
  if (timeout !== undefined && timeout >= 1) config.connectTimeoutMs = Math.min(300_000, Math.round(timeout * 1000));
}

/** A client id or app id for a ThingsBoard integration that had none: `cloudbridge-<name>`. */
export function derivedId(name: string, max: number): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `cloudbridge-${slug || 'imported'}`.slice(0, max);
}

/**
 * Finds the ThingsBoard integrations and converters in export files: a single entity as the PE UI
 * exports it, a list of entities, a REST page (`{data: [...]}`), or an export package (an object
 * holding entities, e.g. `{integration, converters: [...]}`); an integration may carry its
 * converters embedded (`uplinkConverter`, `downlinkConverter`, `defaultConverter`). What is not
 * recognisable is reported as skipped, naming the file and the item; the rest is still read.
 */
import type { Skipped, TbConverter, TbEntity, TbIntegration } from './types.ts';

export interface ExportInput {
  /** File name or `exports[i]`, for messages. */
  source: string;
  /** The file's text (parsed here) or an already parsed value. */
  text?: string;
  value?: unknown;
}

const EMBEDDED = ['defaultConverter', 'uplinkConverter', 'downlinkConverter'];
const MAX_DEPTH = 4;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEntityShaped(v: Obj): boolean {
  return typeof v.name === 'string' && typeof v.type === 'string' && isObj(v.configuration);
}

function isConverter(v: Obj): boolean {
  return isEntityShaped(v) && (v.type === 'UPLINK' || v.type === 'DOWNLINK');
}

/** ThingsBoard PE's integration types (IntegrationType, 4.3, and IBM_WATSON_IOT up to 4.1). */
const TB_INTEGRATION_TYPES = new Set(['MQTT', 'HTTP', 'TTN', 'AWS_IOT', 'TCP', 'SIGFOX', 'TTI', 'CHIRPSTACK', 'PARTICLE', 'KPN',
  'AZURE_EVENT_HUB', 'AZURE_SERVICE_BUS', 'COAP', 'OPC_UA', 'APACHE_PULSAR', 'AWS_KINESIS', 'AWS_SQS', 'AZURE_IOT_HUB', 'CUSTOM',
  'KAFKA', 'LORIOT', 'OCEANCONNECT', 'PUB_SUB', 'RABBITMQ', 'THINGPARK', 'TMOBILE_IOT_CDP', 'TPE', 'UDP', 'TUYA', 'IBM_WATSON_IOT']);

function isIntegration(v: Obj): boolean {
  return isEntityShaped(v) && !isConverter(v)
    && (TB_INTEGRATION_TYPES.has(String(v.type)) || 'defaultConverterId' in v || 'routingKey' in v || 'allowCreateDevicesOrAssets' in v);
}

function label(v: unknown, path: string): string {
  return isObj(v) && typeof v.name === 'string' ? `"${v.name}" (${path})` : path;
}

export function readExports(inputs: ExportInput[]): { entities: TbEntity[]; skipped: Skipped[] } {
  const entities: TbEntity[] = [];
  const skipped: Skipped[] = [];
  for (const input of inputs) {
    let value = input.value;
    if (input.text !== undefined) {
      try {
        // A byte order mark (Windows editors, PowerShell's Out-File) is not part of the JSON.
        value = JSON.parse(input.text.replace(/^\uFEFF/, ''));
      } catch (err) {
        // The parser's message may quote the text (a secret, perhaps): only its position is kept.
        const at = /at position \d+(?: \(line \d+ column \d+\))?/.exec((err as Error).message)?.[0];
        skipped.push({ source: input.source, entity: '(file)', reason: `not JSON (syntax error${at ? ` ${at}` : ''}): export the integration or converter from ThingsBoard (Integrations or Data converters → select → Export) and pass that file` });
        continue;
      }
    }
    const before = entities.length + skipped.length;
    walk(value, input.source, '(root)', 0, entities, skipped);
    if (entities.length + skipped.length === before) {
      skipped.push({ source: input.source, entity: '(file)', reason: 'holds no ThingsBoard integration or converter: expected an entity with name, type and configuration, a list of them, a REST page {"data": [...]} or an export package' });
    }
  }
  return { entities, skipped };
}

function walk(v: unknown, source: string, path: string, depth: number, entities: TbEntity[], skipped: Skipped[]): void {
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      const at = `${path === '(root)' ? '' : path}[${i}]`;
      if (isObj(item) && (isConverter(item) || isIntegration(item) || Array.isArray(item.data))) walk(item, source, at, depth + 1, entities, skipped);
      else skipped.push({ source, entity: label(item, at), reason: 'not a ThingsBoard integration or converter (an entity needs name, type and configuration)' });
    });
    return;
  }
  if (!isObj(v) || depth > MAX_DEPTH) return;
  if (isConverter(v)) {
    entities.push({ kind: 'converter', source, entity: v as unknown as TbConverter });
    return;
  }
  if (isIntegration(v)) {
    for (const key of EMBEDDED) {
      const embedded = v[key];
      if (isObj(embedded) && isConverter(embedded)) entities.push({ kind: 'converter', source, entity: embedded as unknown as TbConverter });
    }
    entities.push({ kind: 'integration', source, entity: v as unknown as TbIntegration });
    return;
  }
  if (isEntityShaped(v)) {
    skipped.push({ source, entity: label(v, path), reason: `type "${String(v.type)}" is neither a converter (UPLINK, DOWNLINK) nor a ThingsBoard integration type, and the entity has no defaultConverterId or routingKey` });
    return;
  }
  for (const [key, child] of Object.entries(v)) {
    if (isObj(child) || Array.isArray(child)) walk(child, source, path === '(root)' ? key : `${path}.${key}`, depth + 1, entities, skipped);
  }
}

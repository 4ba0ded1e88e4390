/**
 * ThingsBoard converters → Cloudbridge converters. JavaScript bodies are kept unchanged (the
 * sandbox runs the ThingsBoard Decoder/Encoder body as it is). A TBEL body with no TBEL-only line
 * that parses as JavaScript is kept unchanged too; any other TBEL body becomes a placeholder that
 * throws (so nothing is stored wrongly), holding the TBEL source as comments to port, and the
 * integrations that use it are imported disabled.
 */
import { compilesAsJavaScript, tbelDifferences } from './tbel.ts';
import type { ConverterOut, TbConverter, TbelReport, Unmapped } from './types.ts';

export interface ImportedConverter {
  out: ConverterOut;
  /** The TBEL report when the source was TBEL. */
  tbel?: TbelReport;
  /** True when the converter is a placeholder awaiting a port. */
  needsPort: boolean;
}

const PARAMS = { uplink: ['payload', 'metadata'], downlink: ['msg', 'metadata', 'msgType', 'integrationMetadata'] };
const V2_FIELDS = ['type', 'name', 'profile', 'label', 'customer', 'group', 'attributes', 'telemetry'];

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** A Cloudbridge name (no slashes) for a ThingsBoard name. */
export function cloudbridgeName(name: string): string {
  return name.replace(/[/\\]+/g, '-').trim().slice(0, 128) || 'imported';
}

function placeholder(name: string, tbel: string, lines: number[], kind: 'uplink' | 'downlink'): string {
  const fn = kind === 'uplink' ? 'Decoder(payload, metadata)' : 'Encoder(msg, metadata, msgType, integrationMetadata)';
  return [
    `// Imported from ThingsBoard: converter "${name}" was written in TBEL. Port it to JavaScript (the body of`,
    `// ${fn}), replace this script with the port, then enable the integrations that use it.`,
    `// Lines that differ from JavaScript: ${lines.join(', ')} (see the import report and docs/thingsboard-import.md).`,
    '// ---- TBEL source ----',
    ...tbel.split(/\r?\n/).map((l) => `// ${l}`.trimEnd()),
    '// ---- end of TBEL source ----',
    `throw new Error(${JSON.stringify(`converter "${name}" is a ThingsBoard TBEL script not yet ported to JavaScript`)});`,
  ].join('\n');
}

export function importConverter(c: TbConverter, unmapped: Unmapped[], warnings: string[]): ImportedConverter | { error: string } {
  const kind = c.type === 'UPLINK' ? 'uplink' : 'downlink';
  const name = cloudbridgeName(c.name);
  const entity = `converter "${c.name}"`;
  if (name !== c.name) warnings.push(`${entity} is named "${name}" in Cloudbridge (names cannot contain slashes)`);
  const cfg = c.configuration;
  const jsField = kind === 'uplink' ? 'decoder' : 'encoder';
  const tbelField = kind === 'uplink' ? 'tbelDecoder' : 'tbelEncoder';
  const js = text(cfg[jsField]);
  const tbelSource = text(cfg[tbelField]);
  const lang = typeof cfg.scriptLang === 'string' ? cfg.scriptLang.toUpperCase() : 'JS';
  if ((c.converterVersion ?? 1) !== 1) {
    const present = V2_FIELDS.filter((f) => cfg[f] !== undefined && cfg[f] !== null);
    for (const f of present) unmapped.push({ entity, field: `configuration.${f}`, reason: 'converter version 2 (LoRaWAN "dedicated" converters) templates have no equivalent: the script must return the device name, type, attributes and telemetry itself' });
  }
  const updateOnly = Array.isArray(cfg.updateOnlyKeys) ? cfg.updateOnlyKeys.filter((k) => typeof k === 'string') : [];
  if (updateOnly.length > 0) {
    unmapped.push({ entity, field: 'configuration.updateOnlyKeys', reason: `"send only if changed" (${updateOnly.join(', ')}) has no equivalent: Cloudbridge stores every value it receives (idempotently); drop unchanged values in the converter if they must not be stored` });
  }
  if ((c.debugSettings as { allEnabled?: unknown } | undefined)?.allEnabled === true || c.debugMode === true) {
    unmapped.push({ entity, field: 'debugSettings', reason: '"debug all" on the converter: Cloudbridge records debug events per integration (debug.failures, debug.allMinutes); they include the converter\'s input and output' });
  }
  if (lang === 'TBEL') {
    if (!tbelSource) return { error: `scriptLang is TBEL but ${tbelField} is empty` };
    if (js) unmapped.push({ entity, field: `configuration.${jsField}`, reason: `scriptLang is TBEL: ThingsBoard ran ${tbelField}; the JavaScript ${jsField} stored beside it was not in use (often the default template) and is not imported` });
    const lines = tbelDifferences(tbelSource);
    if (lines.length === 0 && compilesAsJavaScript(tbelSource, PARAMS[kind])) {
      warnings.push(`${entity}: TBEL imported unchanged as JavaScript (no TBEL-only construct found); check it with "cloudbridge converter test" on a sample of the messages`);
      return { out: { name, type: kind, language: 'javascript', script: tbelSource }, tbel: { converter: name, outcome: 'ported-as-is', lines }, needsPort: false };
    }
    const reported = lines.length > 0 ? lines : [{ line: 1, text: tbelSource.split(/\r?\n/)[0] ?? '', why: 'the script does not parse as JavaScript; port it as a whole' }];
    return {
      out: { name, type: kind, language: 'javascript', script: placeholder(c.name, tbelSource, reported.map((l) => l.line), kind) },
      tbel: { converter: name, outcome: 'needs-port', lines: reported },
      needsPort: true,
    };
  }
  if (lang !== 'JS') return { error: `scriptLang "${String(cfg.scriptLang)}" is unknown (expected JS or TBEL)` };
  if (!js) return { error: `the ${jsField} script is empty` };
  if (tbelSource) unmapped.push({ entity, field: `configuration.${tbelField}`, reason: `scriptLang is JS: ThingsBoard ran ${jsField}; the TBEL script stored beside it was not in use and is not imported` });
  return { out: { name, type: kind, language: 'javascript', script: js }, needsPort: false };
}

/**
 * `cloudbridge config lint`: validates a config file exactly as start-up would (schema, file
 * references, converter compilation, converter references, each connector's config and rules,
 * server.tls) without starting anything. Every problem of the file is reported at once, each with
 * its line and column: a schema problem of one entry does not stop the checks of the others. A
 * converter reference that names no converter of the file fails when it is close to one (a typo:
 * "did you mean") or when the file is declarative, and is only a warning otherwise (it may exist
 * in the store).
 */
import { dirname, resolve } from 'node:path';
import { findConnector, connectorDefinitions } from '../connectors/registry.ts';
import { findForwarder } from '../forwarders/registry.ts';
import { validateForwarder } from './forwarder-config.ts';
import { CloudbridgeError, toCloudbridgeError } from '../core/errors.ts';
import { createDownlinkRunner, createUplinkRunner } from '../converters/index.ts';
import { checkConfigText, readConfigText } from './config-file.ts';
import { notInDeclarativeFile } from './config-plan.ts';
import type { LocatedProblem } from './config-positions.ts';
import { ConverterFileEntrySpec } from './config-refs.ts';
import { closestName } from './did-you-mean.ts';
import { configExpiryWarnings, DEFAULT_EXPIRY_WARNING_DAYS } from './credential-watch.ts';
import { integrationInputSpec, type ConverterRef } from './schemas.ts';
import { isLoopbackHost, loadServerTls } from './server-tls.ts';
import { parseWithSchema, runConnectorValidate, type FieldProblem } from './validate.ts';

export interface LintResult {
  ok: boolean;
  converters: number;
  integrations: number;
  /** Every problem of the file, with its line and column when the field is in the file. */
  problems: LocatedProblem[];
  warnings: string[];
}

type Entry = Record<string, unknown>;

/** The mappings of a list, by index (anything else was reported by the schema check). */
function entries(list: unknown): Array<[number, Entry]> {
  if (!Array.isArray(list)) return [];
  return list.flatMap((e, i): Array<[number, Entry]> => (e && typeof e === 'object' && !Array.isArray(e) ? [[i, e as Entry]] : []));
}

/** The same problem found twice (by the file's schema and again per entry) is listed once. */
function unique(problems: readonly LocatedProblem[]): LocatedProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** In the order of the file (problems without a position last). */
function byPosition(a: LocatedProblem, b: LocatedProblem): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);
}

export async function lintConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LintResult> {
  const problems: FieldProblem[] = [];
  const warnings: string[] = [];
  const collect = (err: unknown, field: string): void => {
    const e = toCloudbridgeError(err);
    const listed = (e.details.problems as FieldProblem[] | undefined) ?? [{ field: e.details.field ?? field, message: e.message }];
    problems.push(...listed);
  };
  let text: string;
  try {
    text = readConfigText(path);
  } catch (err) {
    collect(err, '');
    return { ok: false, converters: 0, integrations: 0, problems, warnings };
  }
  const check = checkConfigText(text, env, dirname(resolve(path)));
  problems.push(...check.problems);
  // The file with its references read when it has no problem so far, else what was parsed.
  const source = check.file ?? check.raw ?? {};
  const declarative = (check.raw?.config as { mode?: string } | undefined)?.mode === 'declarative';
  if (check.file) {
    const { server } = check.file;
    if (server.tls) {
      try {
        loadServerTls(server.tls);
      } catch (err) {
        collect(err, 'server.tls');
      }
    } else if (!isLoopbackHost(server.host)) {
      warnings.push(`server.host: ${server.host} without server.tls: the API would answer plain HTTP on the network (API_NOT_ENCRYPTED); set server.tls or listen on 127.0.0.1 behind a TLS proxy`);
    }
  }
  const converters = entries(source.converters);
  const integrations = entries(source.integrations);
  const warnDays = check.file?.credentialExpiry?.warnDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
  const expiring = (at: string, config: unknown, def: { renewAdvice?: (credential: string) => string | undefined }): string[] =>
    configExpiryWarnings(at, config, def.renewAdvice?.bind(def), Date.now(), warnDays);
  const converterTypes = new Map<string, 'uplink' | 'downlink'>();
  for (const [i, raw] of converters) {
    try {
      const c = parseWithSchema(ConverterFileEntrySpec, raw, `converters[${i}]`);
      converterTypes.set(c.name, c.type);
      // A scriptFile is read (and its script compiled) once the rest of the file is right.
      if (c.script === undefined) continue;
      const cfg = { id: c.name, name: c.name, type: c.type, language: c.language ?? 'javascript', script: c.script, createdAt: 0, updatedAt: 0, ...(c.limits ? { limits: c.limits } : {}) } as const;
      const runner = c.type === 'uplink' ? await createUplinkRunner(cfg) : await createDownlinkRunner(cfg);
      runner.dispose();
    } catch (err) {
      collect(err, `converters[${i}].script`);
    }
  }
  const spec = integrationInputSpec(connectorDefinitions.map((d) => d.type));
  for (const [i, raw] of integrations) {
    const prefix = `integrations[${i}]`;
    try {
      const integ = parseWithSchema(spec, raw, prefix);
      const def = findConnector(integ.type);
      if (!def) throw new CloudbridgeError('CONFIG_INVALID', `unknown type ${integ.type}`, { field: `${prefix}.type` });
      const refs: Array<[string, ConverterRef | null | undefined, 'uplink' | 'downlink']> = [['uplinkConverter', integ.uplinkConverter, 'uplink'], ['downlinkConverter', integ.downlinkConverter, 'downlink']];
      for (const [field, ref, want] of refs) {
        if (!ref) continue;
        const name = typeof ref === 'string' ? ref : ref.name ?? ref.id;
        const t = converterTypes.get(name);
        const close = t ? undefined : closestName(name, converterTypes.keys());
        if (close) problems.push({ field: `${prefix}.${field}`, message: `converter "${name}" is not defined in this file; did you mean "${close}"?` });
        else if (!t && declarative) problems.push({ field: `${prefix}.${field}`, message: notInDeclarativeFile(name) });
        else if (!t) warnings.push(`${prefix}.${field}: "${name}" is not defined in this file; it must already exist in the store`);
        else if (t !== want) problems.push({ field: `${prefix}.${field}`, message: `"${name}" is a ${t} converter; name a ${want} converter` });
      }
      const config = parseWithSchema(def.configSpec, integ.config, `${prefix}.config`);
      const w = await runConnectorValidate(def, config, `${prefix}.config`);
      warnings.push(...w.map((m) => `${prefix}: ${m}`), ...expiring(`${prefix}.config`, config, def));
    } catch (err) {
      collect(err, prefix);
    }
  }
  const integrationNames = new Set(integrations.map(([, i]) => String(i.name ?? '')));
  for (const [i, raw] of entries(source.forwarders)) {
    const prefix = `forwarders[${i}]`;
    try {
      const { entry, warnings: w, def } = await validateForwarder(raw, findForwarder, prefix);
      warnings.push(...w, ...expiring(`${prefix}.config`, entry.config, def));
      if (entry.integrations !== 'all') {
        for (const name of entry.integrations) if (!integrationNames.has(name)) warnings.push(`${prefix}.integrations: "${name}" is not defined in this file; it must already exist in the store`);
      }
    } catch (err) {
      collect(err, prefix);
    }
  }
  const located = unique(check.positions.locate(problems)).sort(byPosition);
  const count = (list: unknown): number => (Array.isArray(list) ? list.length : 0);
  return { ok: located.length === 0, converters: count(source.converters), integrations: count(source.integrations), problems: located, warnings };
}

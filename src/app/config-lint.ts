/**
 * `cloudbridge config lint`: validates a config file exactly as start-up would (schema, converter
 * compilation, converter references, each connector's config and rules) without starting anything.
 */
import { findConnector, connectorDefinitions } from '../connectors/registry.ts';
import { findForwarder } from '../forwarders/registry.ts';
import { validateForwarder } from './forwarder-config.ts';
import { CloudbridgeError, toCloudbridgeError } from '../core/errors.ts';
import { createDownlinkRunner, createUplinkRunner } from '../converters/index.ts';
import { loadConfigFile } from './config-file.ts';
import { notInDeclarativeFile } from './config-plan.ts';
import { integrationInputSpec, type ConverterRef } from './schemas.ts';
import { parseWithSchema, runConnectorValidate, type FieldProblem } from './validate.ts';

export interface LintResult {
  ok: boolean;
  converters: number;
  integrations: number;
  problems: FieldProblem[];
  warnings: string[];
}

export async function lintConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LintResult> {
  const problems: FieldProblem[] = [];
  const warnings: string[] = [];
  const collect = (err: unknown, field: string): void => {
    const e = toCloudbridgeError(err);
    const listed = (e.details.problems as FieldProblem[] | undefined) ?? [{ field: e.details.field ?? field, message: e.message }];
    problems.push(...listed);
  };
  let file;
  try {
    file = loadConfigFile(path, env);
  } catch (err) {
    collect(err, '(file)');
    return { ok: false, converters: 0, integrations: 0, problems, warnings };
  }
  const converterTypes = new Map<string, 'uplink' | 'downlink'>();
  for (const [i, c] of file.converters.entries()) {
    converterTypes.set(c.name, c.type);
    const cfg = { id: c.name, name: c.name, type: c.type, language: c.language ?? 'javascript', script: c.script, createdAt: 0, updatedAt: 0, ...(c.limits ? { limits: c.limits } : {}) } as const;
    try {
      const runner = c.type === 'uplink' ? await createUplinkRunner(cfg) : await createDownlinkRunner(cfg);
      runner.dispose();
    } catch (err) {
      collect(err, `converters[${i}].script`);
    }
  }
  const spec = integrationInputSpec(connectorDefinitions.map((d) => d.type));
  for (const [i, raw] of file.integrations.entries()) {
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
        if (!t && file.config?.mode === 'declarative') problems.push({ field: `${prefix}.${field}`, message: notInDeclarativeFile(name) });
        else if (!t) warnings.push(`${prefix}.${field}: "${name}" is not defined in this file; it must already exist in the store`);
        else if (t !== want) problems.push({ field: `${prefix}.${field}`, message: `"${name}" is a ${t} converter; name a ${want} converter` });
      }
      const config = parseWithSchema(def.configSpec, integ.config, `${prefix}.config`);
      const w = await runConnectorValidate(def, config, `${prefix}.config`);
      warnings.push(...w.map((m) => `${prefix}: ${m}`));
    } catch (err) {
      collect(err, prefix);
    }
  }
  const integrationNames = new Set(file.integrations.map((i) => String(i.name ?? '')));
  for (const [i, raw] of (file.forwarders ?? []).entries()) {
    const prefix = `forwarders[${i}]`;
    try {
      const { entry, warnings: w } = await validateForwarder(raw, findForwarder, prefix);
      warnings.push(...w);
      if (entry.integrations !== 'all') {
        for (const name of entry.integrations) if (!integrationNames.has(name)) warnings.push(`${prefix}.integrations: "${name}" is not defined in this file; it must already exist in the store`);
      }
    } catch (err) {
      collect(err, prefix);
    }
  }
  return { ok: problems.length === 0, converters: file.converters.length, integrations: file.integrations.length, problems, warnings };
}

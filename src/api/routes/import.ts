/**
 * Import of ThingsBoard exports through the API: a dry run (the report and the config file) or
 * applied (converters and integrations created or updated through the config service, with the
 * export's secret values, which the service stores encrypted). An apply is refused as a whole when
 * an entity of the exports cannot be imported or a secret the export lacks is not given.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { collectSecrets } from '../../app/secrets.ts';
import { parseWithSchema } from '../../app/validate.ts';
import { CloudbridgeError, toCloudbridgeError } from '../../core/errors.ts';
import { importThingsBoard, type ExportInput } from '../../import/thingsboard/import.ts';
import { actorOf } from '../actor.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../openapi.ts';
import { serviceValidated } from '../service-validated.ts';

export const ImportRequestSpec = Type.Object({
  exports: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 500, description: 'ThingsBoard exports, each as its JSON file holds it: an integration or converter entity, a list of them, a REST page {"data": [...]} or an export package.' }),
  apply: Type.Optional(Type.Boolean({ default: false, description: 'false (default): dry run, nothing is changed. true: create or update the converters and integrations (by name).' })),
  env: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'With apply: values of the environment variables the report marks inExport false (secrets the export does not hold, e.g. an IoT Hub service connection string), by name.' })),
}, { additionalProperties: false });

const Named = Type.Object({ name: Type.String(), id: Type.String(), action: Type.Union([Type.Literal('created'), Type.Literal('updated')]) });

const ImportResponseSpec = Type.Object({
  applied: Type.Boolean({ description: 'true when the converters and integrations were saved.' }),
  converters: Type.Optional(Type.Array(Named, { description: 'With apply: the converters saved.' })),
  integrations: Type.Optional(Type.Array(Type.Object({ name: Type.String(), id: Type.String(), action: Type.String(), enabled: Type.Boolean(), warnings: Type.Optional(Type.Array(Type.String())) }), { description: 'With apply: the integrations saved.' })),
  report: Type.Object({
    config: Type.Object({}, { additionalProperties: true, description: 'The imported converters and integrations, secrets as ${ENV} references.' }),
    yaml: Type.String({ description: 'The same as a Cloudbridge config file, with a header listing env vars, TBEL ports and unmapped fields.' }),
    env: Type.Array(Type.Object({ name: Type.String(), integration: Type.String(), field: Type.String(), description: Type.String(), inExport: Type.Boolean() })),
    unmapped: Type.Array(Type.Object({ entity: Type.String(), field: Type.String(), reason: Type.String() })),
    tbel: Type.Array(Type.Object({ converter: Type.String(), outcome: Type.String(), lines: Type.Array(Type.Object({ line: Type.Integer(), text: Type.String(), why: Type.String() })) })),
    warnings: Type.Array(Type.String()),
    skipped: Type.Array(Type.Object({ source: Type.String(), entity: Type.String(), reason: Type.String() })),
  }),
});

type Body = { exports: unknown[]; apply?: boolean; env?: Record<string, string> };

export function importRoutes(deps: ApiDeps): FastifyPluginAsync {
  const svc = deps.configService;
  return async (app) => {
    app.post('/import/thingsboard', {
      ...serviceValidated,
      schema: {
        tags: ['import'],
        summary: 'Import ThingsBoard integration and converter exports (admin): a dry run returning the report and the config file, or applied (apply: true). See docs/thingsboard-import.md.',
        body: ImportRequestSpec,
        response: { 200: ImportResponseSpec, ...errors(409) },
      },
    }, async (req) => {
      const body = parseWithSchema(ImportRequestSpec, req.body) as Body;
      const inputs: ExportInput[] = body.exports.map((value, i) => ({ source: `exports[${i}]`, value }));
      const report = importThingsBoard(inputs);
      if (!body.apply) return { applied: false, report };
      if (report.skipped.length > 0) {
        throw new CloudbridgeError('CONFIG_INVALID', `nothing was applied: ${report.skipped.map((s) => `${s.source} ${s.entity}: ${s.reason}`).join('; ')}. Remove those entities from the exports (or run without apply to see the report)`, { field: 'exports', skipped: report.skipped });
      }
      const missing = report.env.filter((e) => !e.inExport && !body.env?.[e.name]);
      if (missing.length > 0) {
        throw new CloudbridgeError('CONFIG_INVALID', `nothing was applied: the exports lack ${missing.map((e) => `${e.name} (integration "${e.integration}" ${e.field}: ${e.description})`).join('; ')}; give ${missing.length === 1 ? 'its value' : 'their values'} in env`, { field: 'env', missing: missing.map((e) => e.name) });
      }
      const values = importThingsBoard(inputs, { secrets: 'values', env: body.env ?? {} });
      const by = await actorOf(deps, req);
      const done: { converters: Array<{ name: string; id: string; action: 'created' | 'updated' }>; integrations: Array<{ name: string; id: string; action: string; enabled: boolean; warnings?: string[] }> } = { converters: [], integrations: [] };
      try {
        for (const [i, c] of values.config.converters.entries()) {
          const action = (await deps.store.getConverter(c.name)) ? 'updated' : 'created';
          const saved = await svc.upsertConverter(c, `converters[${i}]`, by);
          done.converters.push({ name: saved.name, id: saved.id, action });
        }
        for (const [i, integ] of values.config.integrations.entries()) {
          const def = deps.connectors.find((d) => d.type === integ.type);
          if (def) deps.onSecrets(collectSecrets(def.configSpec, integ.config));
          const action = (await deps.store.getIntegration(integ.name)) ? 'updated' : 'created';
          const view = await svc.upsertIntegration(integ, `integrations[${i}]`, by);
          done.integrations.push({ name: view.name, id: view.id, action, enabled: view.enabled, ...(view.warnings ? { warnings: view.warnings } : {}) });
        }
      } catch (err) {
        const e = toCloudbridgeError(err);
        throw new CloudbridgeError(e.code, `${e.message} (applied before the failure: ${[...done.converters, ...done.integrations].map((x) => `"${x.name}"`).join(', ') || 'nothing'}; applying again updates them)`, { ...e.details, applied: done }, { cause: err });
      }
      return { applied: true, ...done, report };
    });
  };
}

/** Converters: CRUD and the side-effect-free test run. */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import { testConverter } from '../../converters/index.ts';
import { ConverterLimitsSpec } from '../../app/schemas.ts';
import type { ConverterLimits } from '../../core/model.ts';
import { decodePayload, encodedView } from '../../app/converter-samples.ts';
import { actorOf } from '../actor.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, noContent, ref } from '../openapi.ts';
import { serviceValidated } from '../service-validated.ts';
import { strictBody } from '../strict-body.ts';

type Id = { Params: { id: string } };
const IdParams = Type.Object({ id: Type.String({ description: 'Converter id or name' }) });

export const ConverterTestSpec = Type.Object({
  converter: Type.Optional(Type.String({ description: 'Test a saved converter (id or name) instead of an inline script' })),
  type: Type.Optional(Type.Union([Type.Literal('uplink'), Type.Literal('downlink')], { default: 'uplink' })),
  language: Type.Optional(Type.Union([Type.Literal('javascript'), Type.Literal('jsonata')], { default: 'javascript' })),
  script: Type.Optional(Type.String()),
  payload: Type.Optional(Type.String({ description: 'Uplink sample payload' })),
  payloadEncoding: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('base64'), Type.Literal('hex')], { default: 'text' })),
  metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
  msg: Type.Optional(Type.Unknown({ description: 'Downlink message' })),
  msgType: Type.Optional(Type.String({ default: 'ATTRIBUTES_UPDATED' })),
  integrationMetadata: Type.Optional(Type.Record(Type.String(), Type.String())),
  limits: Type.Optional(Type.Partial(ConverterLimitsSpec, { description: 'Limits for an inline script (a saved converter uses its own)' })),
}, { additionalProperties: false });

/**
 * A JSONata error names a character `position` (1-based, just past the failing token); the test
 * answer adds its `line` and `column` (1-based) like a JavaScript error's, so an editor can mark it.
 */
export function withJsonataLine<R extends { error?: { details: Record<string, unknown> } }>(result: R, script: string): R {
  const details = result.error?.details;
  if (!details || typeof details.position !== 'number' || details.line !== undefined) return result;
  const before = script.slice(0, Math.max(0, Math.min(script.length, details.position - 1)));
  const lineStart = before.lastIndexOf('\n') + 1;
  details.line = before.split('\n').length;
  details.column = before.length - lineStart + 1;
  return result;
}

const ConverterTestResultSpec = Type.Object({
  output: Type.Optional(Type.Unknown({ description: 'The script\'s own output; absent when it failed before returning.' })),
  records: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Uplink: the normalised records that would be stored (values typed, timestamps in ms).' })),
  encoded: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Downlink: the payloads, as dataBase64 and dataText.' })),
  error: Type.Optional(Type.Object({
    code: Type.String(), message: Type.String(), stage: Type.Union([Type.Literal('compile'), Type.Literal('convert'), Type.Literal('validate')]),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'A script error\'s line and column among others.' }),
  }, { additionalProperties: false })),
  logs: Type.Array(Type.String(), { description: 'What the script wrote with console.*.' }),
  sandbox: Type.String({ description: 'The sandbox engine that ran it.' }),
}, { additionalProperties: false });

type TestBody = {
  converter?: string; type?: 'uplink' | 'downlink'; language?: 'javascript' | 'jsonata'; script?: string;
  payload?: string; payloadEncoding?: 'text' | 'base64' | 'hex'; metadata?: Record<string, string>;
  msg?: unknown; msgType?: string; integrationMetadata?: Record<string, string>; limits?: Partial<ConverterLimits>;
};

export function converterRoutes(deps: ApiDeps): FastifyPluginAsync {
  const svc = deps.configService;
  return async (app) => {
    const tags = ['converters'];
    app.get('/converters', { ...serviceValidated, schema: { tags, response: { 200: Type.Array(ref('Converter')) } } }, async () => deps.store.listConverters());
    app.post('/converters', { ...serviceValidated, schema: { tags, summary: 'Create a converter. Read-only fields (what GET adds) are ignored.', body: ref('ConverterInput'), response: { 201: ref('Converter'), ...errors(409) } } }, async (req, reply) => reply.status(201).send(await svc.saveConverter(req.body, await actorOf(deps, req))));
    app.get<Id>('/converters/:id', { ...serviceValidated, schema: { tags, params: IdParams, response: { 200: ref('Converter'), ...errors(404) } } }, async (req) => svc.requireConverter(req.params.id));
    app.put<Id>('/converters/:id', {
      ...serviceValidated,
      schema: { tags, params: IdParams, summary: 'Update; integrations using it restart with the new version. What GET returns is accepted unchanged (read-only fields ignored, id must match); unchanged: no restart.', body: ref('ConverterInput'), response: { 200: ref('Converter'), ...errors(404, 409) } },
    }, async (req) => svc.saveConverter(req.body, await actorOf(deps, req), req.params.id));
    app.delete<Id>('/converters/:id', { schema: { tags, params: IdParams, summary: 'Delete; refused (409 CONFLICT) while an integration uses it', response: { 204: noContent('Deleted'), ...errors(404, 409) } } }, async (req, reply) => {
      await svc.deleteConverter(req.params.id, await actorOf(deps, req));
      return reply.status(204).send();
    });
    app.post<{ Body: TestBody }>('/converters/test', { ...strictBody, schema: { tags, summary: 'Run a converter on a sample; no side effects. A script error is part of the 200 answer (error, with its stage).', body: ConverterTestSpec, response: { 200: ConverterTestResultSpec, ...errors(404) } } }, async (req) => {
      const b = req.body;
      const saved = b.converter ? await svc.requireConverter(b.converter, 'converter') : null;
      const script = saved?.script ?? b.script;
      if (!script) throw new CloudbridgeError('CONFIG_INVALID', 'give either "converter" (a saved converter) or "script"', { field: 'script' });
      const type = saved?.type ?? b.type ?? 'uplink';
      const language = saved?.language ?? b.language ?? 'javascript';
      const limits = saved ? saved.limits : b.limits;
      if (type === 'uplink') {
        return withJsonataLine(await testConverter({
          type, language, script, ...(limits ? { limits } : {}),
          payload: decodePayload(b.payload ?? '', b.payloadEncoding ?? 'text'),
          metadata: b.metadata ?? { integrationName: 'Test integration' },
          ...(deps.maxFutureTsMs === undefined ? {} : { maxFutureTsMs: deps.maxFutureTsMs }),
        }), script);
      }
      const result = await testConverter({
        type, language, script, ...(limits ? { limits } : {}),
        msg: b.msg ?? {}, metadata: b.metadata ?? {}, msgType: b.msgType ?? 'ATTRIBUTES_UPDATED',
        integrationMetadata: b.integrationMetadata ?? { integrationName: 'Test integration' },
      });
      return withJsonataLine({ ...result, encoded: result.encoded?.map(encodedView) }, script);
    });
  };
}

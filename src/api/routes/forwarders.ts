/**
 * Forwarders (ADR 018): list with status, one with its config (secrets as "***") and status,
 * create or replace (admin; secrets sent back as "***" keep their value), delete (admin), types.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CloudbridgeError } from '../../core/errors.ts';
import { closestName } from '../../app/did-you-mean.ts';
import { actorOf } from '../actor.ts';
import { ForwarderFields } from '../components.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, noContent, ref } from '../openapi.ts';
import { serviceValidated } from '../service-validated.ts';

const NameParams = Type.Object({ name: Type.String({ description: 'Forwarder name' }) });
type Named = { Params: { name: string } };
const ForwarderSaved = Type.Object({
  ...ForwarderFields,
  warnings: Type.Array(Type.String(), { description: 'Config warnings of this save' }),
}, { additionalProperties: false, description: 'The forwarder as GET returns it, with the config warnings of this save' });

/**
 * A forwarder's integration names that name no integration (yet): a misspelt name forwards nothing
 * and refuses nothing, so the save says so. Not an error: the integration may be created after it.
 */
async function unknownIntegrations(deps: ApiDeps, integrations: 'all' | string[]): Promise<string[]> {
  if (integrations === 'all') return [];
  const names = (await deps.store.listIntegrations()).map((i) => i.name);
  return integrations.filter((n) => !names.includes(n)).map((n) => {
    const close = closestName(n, names);
    return `body.integrations: "${n}" is not an integration: nothing of it is forwarded until one of that name exists${close ? `; did you mean "${close}"?` : ''}`;
  });
}

export function forwarderRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ['forwarders'];
    const manager = (): NonNullable<ApiDeps['forwarders']> => {
      if (!deps.forwarders) throw new CloudbridgeError('NOT_FOUND', 'forwarders are not available here');
      return deps.forwarders;
    };
    app.get('/forwarder-types', { schema: { tags, summary: 'Forwarder types with their config spec (JSON Schema)', response: { 200: Type.Array(ref('ForwarderType')) } } }, async () =>
      (deps.forwarderTypes ?? []).map((f) => ({ type: f.type, title: f.title, description: f.description, configSpec: f.configSpec })));
    app.get('/forwarders', { schema: { tags, summary: 'Forwarders with their status (state, outbox depth and lag, counters)', response: { 200: Type.Array(ref('Forwarder')), ...errors(404) } } }, async () => manager().list());
    app.get<Named>('/forwarders/:name', { schema: { tags, params: NameParams, summary: 'A forwarder: config (secrets as "***") and status', response: { 200: ref('Forwarder'), ...errors(404) } } }, async (req) => manager().get(req.params.name));
    app.put<Named & { Body: Record<string, unknown> }>('/forwarders/:name', {
      schema: { tags, params: NameParams, body: ref('ForwarderInput'), response: { 200: ForwarderSaved, 201: { ...ForwarderSaved, description: 'Created' }, ...errors(404) }, summary: 'Create (201) or replace (200) a forwarder (admin); applied at once. What GET returns is accepted: secrets sent as "***" keep their value, status is ignored. Answers with the forwarder and the config warnings.' },
    }, async (req, reply) => {
      const body = req.body as { name?: unknown };
      if (body.name !== req.params.name) {
        throw new CloudbridgeError('CONFIG_INVALID', `name: "${String(body.name)}" differs from the name in the path "${req.params.name}"`, { field: 'name' });
      }
      const existed = manager().list().some((f) => f.name === req.params.name);
      const { view, warnings } = await manager().put(req.body, await actorOf(deps, req), 'body');
      return reply.status(existed ? 200 : 201).send({ ...view, warnings: [...warnings, ...await unknownIntegrations(deps, view.integrations)] });
    });
    app.post('/forwarders/check', { ...serviceValidated, schema: { tags, summary: 'Check the connection of an unsaved forwarder body (credentials, TLS, reachability; sends no data)', body: ref('ForwarderInput'), response: { 200: ref('CheckResult'), ...errors(404) } } }, async (req) =>
      manager().check(req.body));
    app.post<Named>('/forwarders/:name/check', { schema: { tags, params: NameParams, summary: 'Check the connection of a saved forwarder (sends no data)', response: { 200: ref('CheckResult'), ...errors(404) } } }, async (req) =>
      manager().check(req.params.name));
    app.delete<Named>('/forwarders/:name', { schema: { tags, params: NameParams, summary: 'Delete a forwarder (admin); its outbox rows stay until it is created again', response: { 204: noContent('Deleted'), ...errors(404) } } }, async (req, reply) => {
      await manager().remove(req.params.name, await actorOf(deps, req));
      return reply.status(204).send();
    });
  };
}

/**
 * Integrations: CRUD, enable/disable, restart, status, connection check, connector actions, connector types. The status comes
 * from the running integrations (memory); the list and a single integration are answered from
 * memory too while the store is unavailable (marked, see memory-fallback.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { collectSecrets } from '../../app/secrets.ts';
import { CloudbridgeError } from '../../core/errors.ts';
import { actorOf } from '../actor.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, noContent, ref } from '../openapi.ts';
import { serviceValidated } from '../service-validated.ts';
import { storeOrMemory } from '../memory-fallback.ts';

const IdParams = Type.Object({ id: Type.String({ description: 'Integration id or name' }) });
type Id = { Params: { id: string } };

export function integrationRoutes(deps: ApiDeps): FastifyPluginAsync {
  const svc = deps.configService;
  return async (app) => {
    const tags = ['integrations'];
    app.get('/connectors', { schema: { tags, summary: 'Connector types with their config spec (JSON Schema)', response: { 200: Type.Array(ref('ConnectorType')) } } }, async () =>
      deps.connectors.map((c) => ({ type: c.type, title: c.title, description: c.description, capabilities: c.capabilities, configSpec: c.configSpec })));
    const Input = ref('IntegrationInput');
    const View = ref('Integration');
    app.get('/integrations', { ...serviceValidated, schema: { tags, summary: 'List integrations with their status (from memory, marked, while the store is unavailable)', response: { 200: Type.Array(View) } } }, async (_req, reply) =>
      storeOrMemory(reply, () => svc.listIntegrationViews(), () => svc.integrationViewsFromMemory().map((v) => ({ ...v, source: 'memory' }))));
    app.post('/integrations', { ...serviceValidated, schema: { tags, summary: 'Create an integration (starts it when enabled). Read-only fields (what GET adds) are ignored.', body: Input, response: { 201: View, ...errors(404, 409) } } }, async (req, reply) => {
      deps.onSecrets(secretsOf(deps, req.body));
      const view = await svc.saveIntegration(req.body, await actorOf(deps, req));
      return reply.status(201).send(view);
    });
    app.post('/integrations/check', {
      ...serviceValidated,
      schema: { tags, summary: 'Check the connection of an unsaved integration body (credentials, reachability; consumes nothing)', body: Input, response: { 200: ref('CheckResult') } },
    }, async (req) => {
      deps.onSecrets(secretsOf(deps, req.body));
      return svc.checkConnection({ body: req.body }, AbortSignal.timeout(20_000));
    });
    app.get<Id>('/integrations/:id', { ...serviceValidated, schema: { tags, params: IdParams, response: { 200: View, ...errors(404) } } }, async (req, reply) =>
      storeOrMemory(reply, () => svc.integrationView(req.params.id), () => {
        const runtime = deps.manager.find(req.params.id);
        const view = runtime ? svc.integrationViewsFromMemory().find((v) => v.id === runtime.id) : undefined;
        return view ? { ...view, source: 'memory' } : undefined;
      }));
    app.put<Id>('/integrations/:id', {
      ...serviceValidated,
      schema: { tags, params: IdParams, summary: 'Update. What GET returns is accepted unchanged: secrets sent as "***" keep their value, read-only fields are ignored (id must match). Unchanged: no restart.', body: Input, response: { 200: View, ...errors(404, 409) } },
    }, async (req) => {
      deps.onSecrets(secretsOf(deps, req.body));
      return svc.saveIntegration(req.body, await actorOf(deps, req), req.params.id);
    });
    app.delete<Id>('/integrations/:id', { schema: { tags, params: IdParams, summary: 'Delete (stops it first)', response: { 204: noContent('Deleted'), ...errors(404) } } }, async (req, reply) => {
      await svc.deleteIntegration(req.params.id, await actorOf(deps, req));
      return reply.status(204).send();
    });
    app.post<Id>('/integrations/:id/enable', { schema: { tags, params: IdParams, summary: 'Enable and start it', response: { 200: View, ...errors(404) } } }, async (req) => svc.setEnabled(req.params.id, true, await actorOf(deps, req)));
    app.post<Id>('/integrations/:id/restart', {
      schema: { tags, params: IdParams, summary: 'Stop and start again at once (also ends the retry wait of a FAILED or MISCONFIGURED integration); answers with the status after the start attempt. 409 INTEGRATION_NOT_RUNNING when disabled.', response: { 200: ref('IntegrationStatus'), ...errors(404, 409) } },
    }, async (req) => {
      const runtime = deps.manager.find(req.params.id) ?? deps.manager.get((await svc.requireIntegration(req.params.id)).id);
      if (!runtime) {
        throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', `integration "${req.params.id}" is disabled: enable it (POST /api/v1/integrations/${req.params.id}/enable) instead`);
      }
      await deps.manager.restart(runtime.id);
      return runtime.status();
    });
    app.post<Id>('/integrations/:id/disable', { schema: { tags, params: IdParams, summary: 'Stop it and keep it stopped', response: { 200: View, ...errors(404) } } }, async (req) => svc.setEnabled(req.params.id, false, await actorOf(deps, req)));
    app.get<Id>('/integrations/:id/status', { schema: { tags, params: IdParams, response: { 200: ref('IntegrationStatus'), ...errors(404) } } }, async (req) => {
      const running = deps.manager.find(req.params.id);
      if (running) return running.status();
      const cfg = await svc.requireIntegration(req.params.id);
      return deps.manager.status(cfg.id) ?? { state: 'STOPPED', since: cfg.updatedAt, lastError: null, counters: { received: 0, stored: 0, deadLettered: 0, duplicates: 0, overwritten: 0, errors: 0 }, lastMessageAt: null, inFlight: { messages: 0, bytes: 0 } };
    });
    app.post<Id>('/integrations/:id/check', { schema: { tags, params: IdParams, summary: 'Check credentials and reachability (no consumption)', response: { 200: ref('CheckResult'), ...errors(404) } } }, async (req) =>
      svc.checkConnection({ idOrName: req.params.id }, AbortSignal.timeout(20_000)));
    app.post<{ Params: { id: string; name: string }; Body: Record<string, unknown> | undefined }>('/integrations/:id/actions/:name', {
      schema: {
        tags, summary: 'Run a connector action (its docs page lists them, e.g. azure-iot-hub readTwin); the JSON body is its input, the answer its result (ADR 015). 404 NOT_FOUND for an action the connector lacks, 409 INTEGRATION_NOT_RUNNING when the integration is not running.',
        params: Type.Object({ id: Type.String({ description: 'Integration id or name' }), name: Type.String({ description: 'Action name' }) }),
        body: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'The action\'s input' })),
        response: { 200: Type.Object({ result: Type.Unknown({ description: 'The action\'s result' }) }, { additionalProperties: false }), ...errors(404, 409) },
      },
    }, async (req) => {
      const runtime = deps.manager.find(req.params.id) ?? deps.manager.get((await svc.requireIntegration(req.params.id)).id);
      if (!runtime) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', `integration "${req.params.id}" is disabled: enable it first`);
      return { result: await runtime.runAction(req.params.name, req.body ?? {}, AbortSignal.timeout(60_000)) };
    });
  };
}

function secretsOf(deps: ApiDeps, body: unknown): string[] {
  const b = body as { type?: unknown; config?: unknown } | null;
  const def = deps.connectors.find((c) => c.type === b?.type);
  return def && b?.config ? collectSecrets(def.configSpec, b.config) : [];
}

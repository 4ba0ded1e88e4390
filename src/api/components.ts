/**
 * The shared components of the OpenAPI document (#/components/schemas/<id>): what the routes take
 * and answer, each described once and referred to with `ref(id)`. The integration input is one
 * variant per connector type, built from the registry (each with the connector's config spec), so a
 * new connector appears in the document without editing the API.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { ConverterInputSpec, ConverterViewSpec, integrationInputSpec, integrationViewSpec } from '../app/schemas.ts';
import { ForwarderInputSpec } from '../app/forwarder-config.ts';
import { DOWNLINK_OUTCOMES } from '../core/model.ts';
import type { ConnectorDefinition } from '../core/connector.ts';
import { ErrorSpec, ref } from './openapi.ts';

const Ms = (description: string): TSchema => Type.Integer({ description });
const NullableMs = (description: string): TSchema => Type.Union([Type.Integer(), Type.Null()], { description });
const NullableString = (description?: string): TSchema => Type.Union([Type.String(), Type.Null()], description ? { description } : {});
const literals = (values: readonly string[], description?: string): TSchema =>
  Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {});
const Counters = (names: readonly string[]): TSchema => Type.Object(Object.fromEntries(names.map((n) => [n, Type.Integer({ minimum: 0 })])), { additionalProperties: false });
const LastError = Type.Object({ code: Type.String(), message: Type.String(), fix: NullableString('The catalogue\'s fix for the code.') }, { additionalProperties: true });

const IntegrationStatusSpec = Type.Object({
  state: literals(['STOPPED', 'STARTING', 'RUNNING', 'RECONNECTING', 'PAUSED', 'FAILED', 'MISCONFIGURED']),
  since: Ms('Epoch ms of the last state change.'),
  lastError: Type.Union([Type.Object({
    code: Type.String(), message: Type.String(), fix: NullableString(), at: Type.Integer(), resolvedAt: NullableMs('When its cause went away.'),
  }, { additionalProperties: false }), Type.Null()]),
  nextStartAt: Type.Optional(Ms('FAILED or MISCONFIGURED: epoch ms of the next start attempt.')),
  counters: Counters(['received', 'stored', 'deadLettered', 'duplicates', 'overwritten', 'errors']),
  lastMessageAt: NullableMs('Epoch ms of the last message received.'),
  inFlight: Type.Object({ messages: Type.Integer(), bytes: Type.Integer() }, { additionalProperties: false }),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Connector-specific details (no secrets).' })),
}, { $id: 'IntegrationStatus', additionalProperties: false });

const CheckResultSpec = Type.Object({
  ok: Type.Boolean(),
  checks: Type.Array(Type.Object({ name: Type.String(), ok: Type.Boolean(), message: Type.String() }, { additionalProperties: false })),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: true })),
}, { $id: 'CheckResult', additionalProperties: false, description: 'One line per check performed; error: why it failed (codes of docs/errors.md).' });

/** A device's or asset's fields (GET /devices/{name} adds its telemetry keys). */
export const EntityFields = {
  id: Type.String(), kind: literals(['DEVICE', 'ASSET']), name: Type.String(), type: Type.String(),
  label: NullableString(), customerName: NullableString(), groupName: NullableString(),
  createdByIntegrationId: NullableString(), createdAt: Type.Integer(),
};
const EntitySpec = Type.Object(EntityFields, { $id: 'Entity', additionalProperties: false });

const DownlinkSpec = Type.Object({
  id: Type.String(), integrationId: Type.String(), deviceName: Type.String(), msgType: Type.String(), msg: Type.Unknown(),
  metadata: Type.Record(Type.String(), Type.String()), status: literals(['queued', 'sent', 'failed']), error: NullableString(),
  attempts: Type.Integer(), outcome: Type.Union([...DOWNLINK_OUTCOMES.map((o) => Type.Literal(o)), Type.Null()], { description: 'The final outcome the cloud reported (ADR 015), else null.' }),
  outcomeDetail: NullableString(), outcomeAt: NullableMs('When the outcome was reported.'), createdAt: Type.Integer(), updatedAt: Type.Integer(),
}, { $id: 'Downlink', additionalProperties: false });

const DeadLetterSpec = Type.Object({
  id: Type.String(), integrationId: Type.String(), sourceKey: Type.String(), stage: Type.String(), errorCode: Type.String(), error: Type.String(),
  metadata: Type.Record(Type.String(), Type.String()), receivedAt: Type.Integer(), createdAt: Type.Integer(),
  state: literals(['pending', 'replayed', 'discarded']), replayCount: Type.Integer(),
  payloadBase64: Type.String(), payloadText: NullableString('The payload as text when it is valid UTF-8.'),
}, { $id: 'DeadLetter', additionalProperties: false });

const ReplayResultSpec = Type.Object({
  id: Type.String(), ok: Type.Boolean(), status: literals(['stored', 'duplicate', 'requeued', 'dead-lettered', 'failed']),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), stage: Type.String() }, { additionalProperties: false })),
  integrationId: Type.Optional(Type.String()),
}, { $id: 'ReplayResult', additionalProperties: false });

const EventSpec = Type.Object({
  id: Type.String(), type: literals(['LIFECYCLE', 'DEBUG_UPLINK', 'DEBUG_DOWNLINK', 'DEBUG_CONVERTER', 'ERROR', 'WARNING', 'STATS']),
  integrationId: Type.Optional(NullableString()), converterId: Type.Optional(NullableString()), ts: Type.Integer(),
  body: Type.Record(Type.String(), Type.Unknown()),
}, { $id: 'Event', additionalProperties: false });

/** A forwarder's fields as GET returns them (PUT adds the warnings of the save). */
export const ForwarderFields = {
  name: Type.String(), type: Type.String(), integrations: Type.Union([Type.Literal('all'), Type.Array(Type.String())]), enabled: Type.Boolean(),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'Secrets shown as "***".' }),
  status: Type.Object({
    state: literals(['connecting', 'connected', 'disconnected', 'standby', 'failed', 'misconfigured', 'stopped']), since: Type.Integer(),
    lastError: Type.Union([LastError, Type.Null()]),
    outbox: Type.Object({ depth: Type.Integer(), oldestAt: NullableMs('Oldest row waiting.'), lagMs: NullableMs('Age of the oldest row waiting.') }, { additionalProperties: false }),
    counters: Type.Record(Type.String(), Type.Integer()), details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }, { additionalProperties: false }),
};
const ForwarderSpec = Type.Object(ForwarderFields, { $id: 'Forwarder', additionalProperties: false });

/** An API token as the list shows it (never the token or its hash). */
export const TokenFields = { id: Type.String(), name: Type.String(), role: literals(['admin', 'viewer']), createdAt: Type.Integer() };
const TokenSpec = Type.Object(TokenFields, { $id: 'Token', additionalProperties: false });

const TsValue = Type.Object({ ts: Type.Integer(), value: Type.Unknown() }, { $id: 'TsValue', additionalProperties: false, description: 'A telemetry value at its time (epoch ms).' });

/** A connector or forwarder type as its list shows it, with its config spec. */
const typeWithSpec = ($id: string, extra: Record<string, TSchema>): TSchema => Type.Object({
  type: Type.String(), title: Type.String(), description: Type.String(), ...extra,
  configSpec: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the type\'s config.' }),
}, { $id, additionalProperties: false });

/** The integration body per connector type: `type` picks the variant, `config` is its config spec. */
function integrationInput(connectors: readonly ConnectorDefinition[]): TSchema[] {
  const common = integrationInputSpec(connectors.map((c) => c.type)).properties;
  const variants = connectors.map((c) => Type.Object({
    ...common,
    type: Type.Literal(c.type, { description: `Connector type: ${c.title}.` }),
    config: { ...c.configSpec, description: `The ${c.type} configuration (docs/connectors/${c.type}.md). Secrets sent as "***" keep their stored value.` },
  }, { $id: `IntegrationInput-${c.type}`, additionalProperties: false, title: `${c.title} integration` }));
  const union = Type.Unsafe({
    $id: 'IntegrationInput',
    description: 'An integration as POST and PUT take it, one variant per connector type (what GET returns is accepted unchanged).',
    oneOf: variants.map((v) => ref(String(v.$id))),
    discriminator: { propertyName: 'type', mapping: Object.fromEntries(connectors.map((c) => [c.type, `#/components/schemas/IntegrationInput-${c.type}`])) },
  });
  return [...variants, union];
}

/** Adds every shared component to the server (before the routes that refer to them). */
export function registerComponents(app: FastifyInstance, connectors: readonly ConnectorDefinition[]): void {
  const types = connectors.map((c) => c.type);
  const schemas: TSchema[] = [
    ErrorSpec, IntegrationStatusSpec, CheckResultSpec, EntitySpec, DownlinkSpec, DeadLetterSpec, ReplayResultSpec, EventSpec,
    ForwarderSpec, TokenSpec, TsValue,
    { ...ConverterViewSpec, $id: 'Converter' },
    { ...ConverterInputSpec, $id: 'ConverterInput' },
    { ...ForwarderInputSpec, $id: 'ForwarderInput' },
    { ...integrationViewSpec(types), $id: 'Integration', properties: { ...integrationViewSpec(types).properties, status: Type.Union([ref('IntegrationStatus'), Type.Null()], { description: 'Runtime status, null when not loaded.' }) } },
    Type.Object({ items: Type.Array(ref('Entity')), total: Type.Integer() }, { $id: 'EntityPage', additionalProperties: false }),
    typeWithSpec('ConnectorType', { capabilities: Type.Object({ downlink: Type.Boolean(), redelivery: Type.String() }, { additionalProperties: false }) }),
    typeWithSpec('ForwarderType', {}),
    ...integrationInput(connectors),
  ];
  for (const s of schemas) app.addSchema(s);
}

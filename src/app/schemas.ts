/**
 * Input and output schemas for converters and integrations: one spec shared by the YAML config
 * file, the REST API (request validation and OpenAPI) and the docs.
 *
 * GET-modify-PUT: what GET returns can be sent back to PUT unchanged. The fields GET adds are
 * read-only (`readOnly: true` in the OpenAPI document): accepted and ignored on input, except `id`,
 * which on PUT must be the id of the object addressed. A converter reference may be a name or id
 * (string) or the `{id, name}` object GET returns. `debug.allUntil` (GET) is ignored on input:
 * `debug.allMinutes` sets it. Secrets come back from GET as "***", which PUT reads as "keep the
 * stored value".
 */
import { Type, type Static } from '@sinclair/typebox';
import { RetentionSpec } from '../core/retention.ts';

const Name = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^/\\\\]+$', description: 'Unique name (no slashes).' });

const readOnly = (description: string): { readOnly: true; description: string } => ({ readOnly: true, description: `Read-only: ${description}` });

/** The read-only fields GET returns for every saved object. */
const savedFields = {
  id: Type.Optional(Type.String({ minLength: 1, ...readOnly('assigned on create. Ignored on input, except that on PUT it must be the id of the object addressed.') })),
  createdAt: Type.Optional(Type.Integer({ minimum: 0, ...readOnly('epoch ms of the creation; ignored on input.') })),
  updatedAt: Type.Optional(Type.Integer({ minimum: 0, ...readOnly('epoch ms of the last change; ignored on input.') })),
};

export const ConverterLimitsSpec = Type.Object({
  timeoutMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000, description: 'Wall-clock limit of one converter call (a batch) in ms. Default 1000.' })),
  memoryMb: Type.Optional(Type.Integer({ minimum: 8, maximum: 1024, description: 'Heap limit of the converter sandbox in MB. Default 64.' })),
}, { additionalProperties: false });

const converterFields = {
  name: Name,
  type: Type.Union([Type.Literal('uplink'), Type.Literal('downlink')], { description: 'uplink: raw message → devices and data; downlink: command → cloud message.' }),
  language: Type.Optional(Type.Union([Type.Literal('javascript'), Type.Literal('jsonata')], { default: 'javascript', description: 'javascript (ThingsBoard Decoder/Encoder contract, sandboxed; default) or jsonata (uplink only).' })),
  script: Type.String({ minLength: 1, maxLength: 200_000, description: 'The Decoder/Encoder function body, or a JSONata expression.' }),
  limits: Type.Optional(ConverterLimitsSpec),
};

/** A converter as POST/PUT (and the config file) take it: what GET returns is accepted unchanged. */
export const ConverterInputSpec = Type.Object({ ...converterFields, ...savedFields }, { additionalProperties: false });
export type ConverterInput = Static<typeof ConverterInputSpec>;

/** A converter as GET returns it. */
export const ConverterViewSpec = Type.Object({
  id: Type.String(),
  ...converterFields,
  language: Type.Union([Type.Literal('javascript'), Type.Literal('jsonata')]),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
}, { additionalProperties: false });

export const DebugInputSpec = Type.Object({
  failures: Type.Optional(Type.Boolean({ default: true, description: 'Record a debug event for every failed message (default true).' })),
  allMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440, description: 'Record every message for this many minutes from now (0 turns it off).' })),
  allUntil: Type.Optional(Type.Integer({ minimum: 0, ...readOnly('epoch ms until which every message is recorded (0: off). Ignored on input: set allMinutes to change it.') })),
}, { additionalProperties: false });

/** `{id, name}` as GET returns a converter reference. */
const ConverterRefObject = Type.Object({
  id: Type.String({ minLength: 1 }),
  name: Type.Optional(Type.String()),
}, { additionalProperties: false });

export type ConverterRef = string | Static<typeof ConverterRefObject>;

function converterRef(kind: 'uplink' | 'downlink') {
  return Type.Union([Type.String({ minLength: 1 }), ConverterRefObject], {
    description: `The ${kind} converter: its name or id, or the {id, name} object GET returns (found by id, else by name).`,
  });
}

export function integrationInputSpec(types: string[]) {
  return Type.Object({
    name: Name,
    type: Type.Union(types.map((t) => Type.Literal(t)), { description: 'Connector type.' }),
    enabled: Type.Optional(Type.Boolean({ default: true, description: 'Run the integration (default true).' })),
    uplinkConverter: converterRef('uplink'),
    downlinkConverter: Type.Optional(Type.Union([Type.String({ minLength: 1 }), ConverterRefObject, Type.Null()], { description: 'The downlink converter: its name or id, or the {id, name} object GET returns (found by id, else by name); null for none.' })),
    allowCreateDevices: Type.Optional(Type.Boolean({ default: true, description: 'Create devices and assets on their first uplink (default true).' })),
    debug: Type.Optional(DebugInputSpec),
    metadata: Type.Optional(Type.Record(Type.String(), Type.String(), { default: {}, description: 'Added to every uplink\'s metadata.' })),
    config: Type.Record(Type.String(), Type.Unknown(), { description: 'Connector configuration; see the connector\'s page. Secrets sent as "***" keep their stored value.' }),
    retention: Type.Optional(Type.Object(RetentionSpec.properties, { additionalProperties: false, description: 'Retention of this integration\'s rows, per kind; a kind left out keeps the global `retention` of the config file (docs/operations.md).' })),
    ...savedFields,
    status: Type.Optional(Type.Unknown(readOnly('the runtime status (GET /integrations/{id}/status); ignored on input.'))),
    warnings: Type.Optional(Type.Array(Type.String(), readOnly('warnings of the last save; ignored on input.'))),
    source: Type.Optional(Type.Literal('memory', readOnly('present when the answer came from memory while the store was unavailable; ignored on input.'))),
  }, { additionalProperties: false });
}
export type IntegrationInput = Static<ReturnType<typeof integrationInputSpec>>;

/** An integration as GET returns it (PUT accepts it back unchanged). */
export function integrationViewSpec(types: string[]) {
  const ref = Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false });
  return Type.Object({
    id: Type.String(),
    name: Type.String(),
    type: Type.Union(types.map((t) => Type.Literal(t))),
    enabled: Type.Boolean(),
    uplinkConverter: Type.Union([ref, Type.Null()], { description: 'The uplink converter ({id, name}).' }),
    downlinkConverter: Type.Union([ref, Type.Null()], { description: 'The downlink converter ({id, name}), or null.' }),
    allowCreateDevices: Type.Boolean(),
    debug: Type.Object({ failures: Type.Boolean(), allUntil: Type.Integer({ description: 'Epoch ms until which every message is recorded (0: off).' }) }, { additionalProperties: false }),
    metadata: Type.Record(Type.String(), Type.String()),
    config: Type.Record(Type.String(), Type.Unknown(), { description: 'Connector configuration with defaults applied; secrets shown as "***".' }),
    retention: Type.Optional(Type.Object(RetentionSpec.properties, { additionalProperties: false, description: 'Retention of this integration\'s rows, when set (docs/operations.md).' })),
    createdAt: Type.Integer(),
    updatedAt: Type.Integer(),
    status: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: 'Runtime status (as GET /integrations/{id}/status), null when not loaded.' }),
    warnings: Type.Optional(Type.Array(Type.String(), { description: 'Configuration warnings (create and update responses only).' })),
    source: Type.Optional(Type.Literal('memory', { description: 'Present when the answer came from memory while the store was unavailable (see docs/api.md).' })),
  }, { additionalProperties: false });
}

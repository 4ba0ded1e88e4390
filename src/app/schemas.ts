/**
 * Input schemas for converters and integrations: one spec shared by the YAML config file, the REST
 * API (request validation and OpenAPI) and the docs.
 */
import { Type, type Static } from '@sinclair/typebox';

const Name = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^/\\\\]+$', description: 'Unique name (no slashes).' });

export const ConverterLimitsSpec = Type.Object({
  timeoutMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000, description: 'Wall-clock limit of one converter call (a batch) in ms. Default 1000.' })),
  memoryMb: Type.Optional(Type.Integer({ minimum: 8, maximum: 1024, description: 'Heap limit of the converter sandbox in MB. Default 64.' })),
}, { additionalProperties: false });

export const ConverterInputSpec = Type.Object({
  name: Name,
  type: Type.Union([Type.Literal('uplink'), Type.Literal('downlink')], { description: 'uplink: raw message → devices and data; downlink: command → cloud message.' }),
  language: Type.Union([Type.Literal('javascript'), Type.Literal('jsonata')], { default: 'javascript', description: 'javascript (ThingsBoard Decoder/Encoder contract, sandboxed) or jsonata (uplink only).' }),
  script: Type.String({ minLength: 1, maxLength: 200_000, description: 'The Decoder/Encoder function body, or a JSONata expression.' }),
  limits: Type.Optional(ConverterLimitsSpec),
}, { additionalProperties: false });
export type ConverterInput = Static<typeof ConverterInputSpec>;

export const DebugInputSpec = Type.Object({
  failures: Type.Boolean({ default: true, description: 'Record a debug event for every failed message.' }),
  allMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440, description: 'Record every message for this many minutes from now (0 turns it off).' })),
}, { additionalProperties: false });

export function integrationInputSpec(types: string[]) {
  return Type.Object({
    name: Name,
    type: Type.Union(types.map((t) => Type.Literal(t)), { description: 'Connector type.' }),
    enabled: Type.Boolean({ default: true }),
    uplinkConverter: Type.String({ minLength: 1, description: 'Name or id of the uplink converter.' }),
    downlinkConverter: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()], { description: 'Name or id of the downlink converter.' })),
    allowCreateDevices: Type.Boolean({ default: true, description: 'Create devices and assets on their first uplink.' }),
    debug: Type.Optional(DebugInputSpec),
    metadata: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Added to every uplink\'s metadata.' }),
    config: Type.Record(Type.String(), Type.Unknown(), { description: 'Connector configuration; see the connector\'s page.' }),
  }, { additionalProperties: false });
}
export type IntegrationInput = Static<ReturnType<typeof integrationInputSpec>>;

/**
 * The `v1/gateway/*` publishes a gateway session sends (reference §6.3), in two phases as one
 * publish is one unit: plan() parses the payload and checks the limits (device quota, rate limit)
 * without touching the platform; commit() then provisions the devices it names (§6.2), registers
 * them in the session and stores the data. A refused publish stores nothing. Only after commit()
 * does the session send the PUBACK.
 */
import { REASON, GATEWAY_TOPIC } from './codes.ts';
import type { Platform } from './platform.ts';
import {
  ConversionError, isPlainObject, parseJson, parseTelemetryArray, typeKeyValues,
  type ParsedPoint, type TypedEntry,
} from './telemetry-json.ts';
import type { RpcReply } from './types.ts';

/** What a gateway topic handler needs from its session and the double. */
export interface GatewayContext {
  readonly platform: Platform;
  readonly gatewayName: string;
  readonly sessionId: number;
  readonly typeCast: boolean;
  /** Adds the device to the session (attribute pushes and RPC go to it from now on). */
  register(device: string): void;
  deregister(device: string): void;
  /** Publishes to this session (attribute responses). */
  reply(topic: string, body: unknown): void;
  onRpcReply(reply: RpcReply): void;
}

export type Plan =
  | { ok: true; commit: () => void }
  | { ok: false; reasonCode: number; reason: string; device?: string; rateLimited?: boolean };

/** Topics on which the devices named are counted against the per-device rate limit. */
const RATE_LIMITED_TOPICS: ReadonlySet<string> = new Set([GATEWAY_TOPIC.TELEMETRY, GATEWAY_TOPIC.ATTRIBUTES]);

export function isGatewayTopic(topic: string): boolean {
  return (Object.values(GATEWAY_TOPIC) as string[]).includes(topic) && topic !== GATEWAY_TOPIC.ATTRIBUTES_RESPONSE;
}

function deviceName(body: Record<string, unknown>): string {
  const device = body.device;
  if (typeof device !== 'string' || device === '') throw new ConversionError('"device" must be a non-empty string');
  return device;
}

function objectBody(payload: Buffer): Record<string, unknown> {
  const body = parseJson(payload);
  if (!isPlainObject(body)) throw new ConversionError(`the payload must be a JSON object, got ${JSON.stringify(body)}`);
  return body;
}

function integerField(body: Record<string, unknown>, field: string): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ConversionError(`"${field}" must be an integer`);
  return value;
}

/** The parsed publish: which devices it names and what storing it does. */
interface Parsed {
  devices: string[];
  /** Type for devices this publish creates (v1/gateway/connect only). */
  type?: string;
  apply: () => void;
}

function parseTopic(ctx: GatewayContext, topic: string, payload: Buffer, now: number): Parsed {
  const { platform } = ctx;
  switch (topic) {
    case GATEWAY_TOPIC.CONNECT: {
      const body = objectBody(payload);
      const device = deviceName(body);
      const type = body.type === undefined || body.type === null ? undefined : String(body.type);
      return { devices: [device], type, apply: () => undefined };
    }
    case GATEWAY_TOPIC.DISCONNECT: {
      const device = deviceName(objectBody(payload));
      return { devices: [], apply: () => ctx.deregister(device) };
    }
    case GATEWAY_TOPIC.TELEMETRY: {
      const body = objectBody(payload);
      const perDevice = new Map<string, ParsedPoint[]>();
      for (const [device, value] of Object.entries(body)) {
        if (Array.isArray(value)) perDevice.set(device, parseTelemetryArray(value, now, ctx.typeCast));
      }
      if (perDevice.size === 0) throw new ConversionError('no device entry is an array of telemetry (each device needs [{ts, values}] or [{key: value}])');
      return {
        devices: [...perDevice.keys()],
        apply: () => {
          for (const [device, points] of perDevice) {
            platform.storeTelemetry(device, points.map((p) => ({ ...p, receivedAt: now, sessionId: ctx.sessionId })));
          }
        },
      };
    }
    case GATEWAY_TOPIC.ATTRIBUTES: {
      const body = objectBody(payload);
      const perDevice = new Map<string, TypedEntry[]>();
      for (const [device, value] of Object.entries(body)) {
        if (!isPlainObject(value)) throw new ConversionError(`the attributes of "${device}" must be an object`);
        perDevice.set(device, typeKeyValues(value, ctx.typeCast));
      }
      return { devices: [...perDevice.keys()], apply: () => { for (const [d, entries] of perDevice) platform.storeAttributes(d, true, entries, now); } };
    }
    case GATEWAY_TOPIC.ATTRIBUTES_REQUEST:
      return parseAttributeRequest(ctx, objectBody(payload));
    case GATEWAY_TOPIC.RPC: {
      const body = objectBody(payload);
      const device = deviceName(body);
      const id = integerField(body, 'id');
      if (!('data' in body)) throw new ConversionError('an RPC reply needs "data"');
      const reply: RpcReply = { device, id, data: body.data, raw: JSON.stringify(body.data) };
      return { devices: [device], apply: () => ctx.onRpcReply(reply) };
    }
    case GATEWAY_TOPIC.CLAIM: {
      const body = objectBody(payload);
      const claims = Object.entries(body).map(([device, value]) => {
        if (!isPlainObject(value)) throw new ConversionError(`the claim of "${device}" must be an object`);
        const durationMs = typeof value.durationMs === 'number' ? value.durationMs : undefined;
        return { device, secretKey: typeof value.secretKey === 'string' ? value.secretKey : '', ...(durationMs === undefined ? {} : { durationMs }) };
      });
      return { devices: claims.map((c) => c.device), apply: () => platform.recordClaims(claims) };
    }
    default:
      throw new Error(`not a gateway topic: ${topic}`);
  }
}

/** `{id, device, client: boolean, key | keys}` as the server code requires (not the docs' `client: [...]`). */
function parseAttributeRequest(ctx: GatewayContext, body: Record<string, unknown>): Parsed {
  const id = integerField(body, 'id');
  const device = deviceName(body);
  if (typeof body.client !== 'boolean') throw new ConversionError('"client" must be a boolean (true: client scope, false: shared scope)');
  const client = body.client;
  let keys: string[];
  if ('key' in body) {
    if (typeof body.key !== 'string') throw new ConversionError('"key" must be a string');
    keys = [body.key];
  } else if (Array.isArray(body.keys) && body.keys.every((k) => typeof k === 'string')) {
    keys = [...new Set(body.keys as string[])];
  } else {
    throw new ConversionError('an attribute request needs "key" (a string) or "keys" (an array of strings)');
  }
  return {
    devices: [device],
    apply: () => {
      ctx.platform.recordAttributeRequest({ id, device, client, keys });
      const values = ctx.platform.attributeValues(device, client, keys);
      const response: Record<string, unknown> = { id, device };
      if (keys.length === 1) {
        if (keys[0]! in values) response.value = values[keys[0]!];
      } else {
        response.values = values;
      }
      ctx.reply(GATEWAY_TOPIC.ATTRIBUTES_RESPONSE, response);
    },
  };
}

/** Parses and checks one gateway publish; the returned commit() stores it. */
export function planGatewayPublish(ctx: GatewayContext, topic: string, payload: Buffer, now: number): Plan {
  let parsed: Parsed;
  try {
    parsed = parseTopic(ctx, topic, payload, now);
  } catch (err) {
    if (err instanceof ConversionError) return { ok: false, reasonCode: REASON.PAYLOAD_FORMAT_INVALID, reason: err.message };
    throw err;
  }
  const { platform } = ctx;
  const over = platform.devicesOverLimit(parsed.devices);
  if (over > 0) {
    const fresh = parsed.devices.find((d) => platform.device(d) === undefined);
    return { ok: false, reasonCode: REASON.QUOTA_EXCEEDED, reason: `device limit reached: creating "${fresh}" would exceed maxDevices`, ...(fresh ? { device: fresh } : {}) };
  }
  if (RATE_LIMITED_TOPICS.has(topic)) {
    const limited = parsed.devices.find((d) => platform.rateLimited(d, now));
    if (limited !== undefined) return { ok: false, reasonCode: REASON.QUOTA_EXCEEDED, reason: `rate limit exceeded for "${limited}"`, device: limited, rateLimited: true };
  }
  return {
    ok: true,
    commit: () => {
      for (const device of parsed.devices) {
        platform.provision(device, parsed.type, ctx.gatewayName);
        ctx.register(device);
        if (RATE_LIMITED_TOPICS.has(topic)) platform.countMessage(device, now);
      }
      parsed.apply();
    },
  };
}

/**
 * The device result fields that forwarders carry on (ADR 017, docs/converters.md "Replying to
 * RPCs and requesting attributes"):
 *
 * - `rpcReply`: `{id, data}` or an array of them → EntityRecord.rpcReplies (the device's answer
 *   to a server-side RPC, sent back with the RPC's id).
 * - `attributeRequest`: `{keys: [...] | key, client?, id?}` or an array → attributeRequests
 *   (client false, the default, asks for shared attributes); an id is assigned when absent.
 *
 * Devices only. Every failure is CONVERTER_OUTPUT naming the field, like the rest of the result.
 */
import { randomInt } from 'node:crypto';
import type { EntityRecord } from '../core/model.ts';
import { kindOf } from './describe-value.ts';
import { checkFinite, checkKey, fail, isPlainObject } from './output-checks.ts';

/** Ids are positive 31-bit integers (ThingsBoard's request ids are Java ints). */
const MAX_ID = 2 ** 31 - 1;
let nextId = randomInt(1, 2 ** 30);

/** A positive 31-bit id unique within the process (a counter seeded randomly, so restarts rarely repeat one soon). */
export function nextAttributeRequestId(): number {
  const id = nextId;
  nextId = nextId >= MAX_ID ? 1 : nextId + 1;
  return id;
}

/** The field's entries with their paths: an array's elements, or the one object. */
function entries(v: unknown, field: string): Array<[unknown, string]> {
  return Array.isArray(v) ? v.map((e, i): [unknown, string] => [e, `${field}[${i}]`]) : [[v, field]];
}

function id(v: unknown, field: string, min: number): number {
  const n = typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > MAX_ID) {
    fail(field, `must be an integer from ${min} to ${MAX_ID}, got ${typeof v === 'number' || typeof v === 'string' ? JSON.stringify(v) : kindOf(v)}`);
  }
  return n;
}

function rpcReply(v: unknown, field: string): { id: number; data: unknown } {
  if (!isPlainObject(v)) fail(field, `must be an object {id, data}, got ${kindOf(v)}`);
  if (v.id === undefined || v.id === null) fail(field, 'id is missing (the id of the RPC this replies to)');
  if (!('data' in v) || v.data === undefined) fail(field, 'data is missing (the reply; null for none)');
  checkFinite(v.data, `${field}.data`);
  return { id: id(v.id, `${field}.id`, 0), data: v.data };
}

function attributeRequest(v: unknown, field: string): { id: number; client: boolean; keys: string[] } {
  if (!isPlainObject(v)) fail(field, `must be an object {keys, client?, id?}, got ${kindOf(v)}`);
  const hasKeys = v.keys !== undefined && v.keys !== null;
  const hasKey = v.key !== undefined && v.key !== null;
  if (hasKeys && hasKey) fail(field, 'has both keys and key; give one of them');
  if (!hasKeys && !hasKey) fail(field, 'keys is missing (keys: ["a", "b"] or key: "a")');
  let keys: string[];
  if (hasKey) {
    if (typeof v.key !== 'string') fail(`${field}.key`, `must be a string, got ${kindOf(v.key)}`);
    keys = [v.key];
  } else {
    if (!Array.isArray(v.keys) || v.keys.length === 0) fail(`${field}.keys`, `must be a non-empty array of strings, got ${Array.isArray(v.keys) ? 'an empty array' : kindOf(v.keys)}`);
    keys = v.keys.map((k: unknown, i: number) => {
      if (typeof k !== 'string') fail(`${field}.keys[${i}]`, `must be a string, got ${kindOf(k)}`);
      return k;
    });
  }
  for (const k of keys) checkKey(k, hasKey ? `${field}.key` : `${field}.keys`);
  if (v.client !== undefined && v.client !== null && typeof v.client !== 'boolean') fail(`${field}.client`, `must be true or false, got ${kindOf(v.client)}`);
  const given = v.id === undefined || v.id === null ? undefined : id(v.id, `${field}.id`, 1);
  return { id: given ?? nextAttributeRequestId(), client: v.client === true, keys };
}

/** Adds the record's RPC replies and attribute requests; `take` counts each against the message's size limit. */
export function forwarderFields(rec: Record<string, unknown>, path: string, out: EntityRecord, take: () => void): void {
  const replies = rec.rpcReply;
  const requests = rec.attributeRequest;
  const hasReplies = replies !== undefined && replies !== null;
  const hasRequests = requests !== undefined && requests !== null;
  if (!hasReplies && !hasRequests) return;
  if (out.kind !== 'DEVICE') {
    fail(`${path}.${hasReplies ? 'rpcReply' : 'attributeRequest'}`, 'only a device result can carry rpcReply or attributeRequest, not an asset');
  }
  const rpcReplies = hasReplies ? entries(replies, `${path}.rpcReply`).map(([e, field]) => {
    take();
    return rpcReply(e, field);
  }) : [];
  const attributeRequests = hasRequests ? entries(requests, `${path}.attributeRequest`).map(([e, field]) => {
    take();
    return attributeRequest(e, field);
  }) : [];
  if (rpcReplies.length > 0) out.rpcReplies = rpcReplies;
  if (attributeRequests.length > 0) out.attributeRequests = attributeRequests;
}

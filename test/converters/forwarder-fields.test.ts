/** The result fields forwarders carry on: rpcReply and attributeRequest (docs/converters.md, ADR 017). */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createUplinkRunner, normalizeUplink, type UplinkConverterRunner } from '../../src/converters/index.ts';
import { converter, errorOf, input, outputError, recordsOf } from './helpers.ts';

const AT = 5000;

describe('rpcReply', () => {
  test('one reply or an array of them, any JSON data; a numeric string id is taken', () => {
    const [one] = normalizeUplink({ deviceName: 'd', rpcReply: { id: 12, data: { state: 'on', level: [1, 2] } } }, AT);
    assert.deepEqual(one?.rpcReplies, [{ id: 12, data: { state: 'on', level: [1, 2] } }]);
    const [many] = normalizeUplink({ deviceName: 'd', telemetry: { t: 1 }, rpcReply: [{ id: 0, data: null }, { id: '7', data: 'done' }] }, AT);
    assert.deepEqual(many?.rpcReplies, [{ id: 0, data: null }, { id: 7, data: 'done' }]);
    assert.equal(many?.telemetry.length, 1);
    const [none] = normalizeUplink({ deviceName: 'd', rpcReply: null, attributeRequest: [] }, AT);
    assert.equal(none && 'rpcReplies' in none, false);
    assert.equal(none && 'attributeRequests' in none, false);
  });

  test('invalid shapes name the field', () => {
    assert.equal(outputError({ deviceName: 'd', rpcReply: 5 }), 'result.rpcReply: must be an object {id, data}, got a number');
    assert.equal(outputError({ deviceName: 'd', rpcReply: { data: 1 } }), 'result.rpcReply: id is missing (the id of the RPC this replies to)');
    assert.equal(outputError({ deviceName: 'd', rpcReply: [{ id: 1, data: 1 }, { id: 2 }] }), 'result.rpcReply[1]: data is missing (the reply; null for none)');
    assert.equal(outputError({ deviceName: 'd', rpcReply: { id: 1.5, data: 1 } }), 'result.rpcReply.id: must be an integer from 0 to 2147483647, got 1.5');
    assert.equal(outputError({ deviceName: 'd', rpcReply: { id: 2 ** 31, data: 1 } }), 'result.rpcReply.id: must be an integer from 0 to 2147483647, got 2147483648');
    assert.equal(outputError([{ deviceName: 'a' }, { deviceName: 'd', rpcReply: { id: 'x', data: 1 } }]), 'result[1].rpcReply.id: must be an integer from 0 to 2147483647, got "x"');
    assert.equal(outputError({ deviceName: 'd', rpcReply: { id: 1, data: { v: '\u0000NaN' } } }),
      'result.rpcReply.data.v: is NaN; only finite numbers can be stored (the value is refused, not skipped)');
  });

  test('an asset cannot carry it', () => {
    assert.equal(outputError({ assetName: 'a', assetType: 'site', rpcReply: { id: 1, data: 1 } }),
      'result.rpcReply: only a device result can carry rpcReply or attributeRequest, not an asset');
    assert.equal(outputError({ assetName: 'a', assetType: 'site', attributeRequest: { key: 'x' } }),
      'result.attributeRequest: only a device result can carry rpcReply or attributeRequest, not an asset');
  });
});

describe('attributeRequest', () => {
  test('keys or key, shared scope by default, client when asked; an id is assigned when absent', () => {
    const [rec] = normalizeUplink({
      deviceName: 'd',
      attributeRequest: [{ keys: ['target', 'mode'] }, { key: 'fw', client: true, id: 99 }, { key: 'other' }],
    }, AT);
    const requests = rec?.attributeRequests ?? [];
    assert.deepEqual(requests.map((r) => [r.client, r.keys]), [[false, ['target', 'mode']], [true, ['fw']], [false, ['other']]]);
    assert.equal(requests[1]?.id, 99);
    const assigned = [requests[0]?.id, requests[2]?.id];
    for (const id of assigned) assert.ok(Number.isInteger(id) && (id ?? 0) >= 1 && (id ?? 0) <= 2 ** 31 - 1, `assigned id ${id}`);
    assert.notEqual(assigned[0], assigned[1], 'assigned ids differ');
    const [again] = normalizeUplink({ deviceName: 'd', attributeRequest: { key: 'target' } }, AT);
    assert.ok(!assigned.includes(again?.attributeRequests?.[0]?.id), 'unique within the process');
  });

  test('invalid shapes name the field', () => {
    assert.equal(outputError({ deviceName: 'd', attributeRequest: 'target' }), 'result.attributeRequest: must be an object {keys, client?, id?}, got a string');
    assert.equal(outputError({ deviceName: 'd', attributeRequest: {} }), 'result.attributeRequest: keys is missing (keys: ["a", "b"] or key: "a")');
    assert.equal(outputError({ deviceName: 'd', attributeRequest: { key: 'a', keys: ['b'] } }), 'result.attributeRequest: has both keys and key; give one of them');
    assert.equal(outputError({ deviceName: 'd', attributeRequest: { keys: [] } }), 'result.attributeRequest.keys: must be a non-empty array of strings, got an empty array');
    assert.equal(outputError({ deviceName: 'd', attributeRequest: { keys: 'a' } }), 'result.attributeRequest.keys: must be a non-empty array of strings, got a string');
    assert.equal(outputError({ deviceName: 'd', attributeRequest: [{ key: 'a' }, { keys: ['a', 3] }] }), 'result.attributeRequest[1].keys[1]: must be a string, got a number');
    assert.equal(outputError({ deviceName: 'd', attributeRequest: { key: '' } }), 'result.attributeRequest.key: keys must be non-empty strings');
    assert.equal(outputError({ deviceName: 'd', attributeRequest: { key: 'a', client: 'yes' } }), 'result.attributeRequest.client: must be true or false, got a string');
    assert.equal(outputError({ deviceName: 'd', attributeRequest: { key: 'a', id: 0 } }), 'result.attributeRequest.id: must be an integer from 1 to 2147483647, got 0');
  });
});

describe('through a converter (JavaScript and JSONata use the same validation)', () => {
  const open: UplinkConverterRunner[] = [];
  after(() => { for (const r of open) r.dispose(); });

  test('a JavaScript decoder replies to an RPC and requests attributes; a bad reply is a validate-stage CONVERTER_OUTPUT', async () => {
    const r = await createUplinkRunner(converter(`
      var msg = decodeToJson(payload);
      if (msg.bad) return { deviceName: msg.dev, rpcReply: { id: msg.rpc } };
      return { deviceName: msg.dev, rpcReply: { id: msg.rpc, data: { result: msg.result } }, attributeRequest: { key: 'target', client: false } };
    `), { maxConsecutiveFailures: 0 });
    open.push(r);
    const [ok, bad] = await r.convert([input({ dev: 'pump-1', rpc: 42, result: 'ok' }), input({ dev: 'pump-1', rpc: 43, bad: true })]);
    const [rec] = recordsOf(ok);
    assert.deepEqual(rec?.rpcReplies, [{ id: 42, data: { result: 'ok' } }]);
    assert.deepEqual(rec?.attributeRequests?.map((q) => [q.client, q.keys]), [[false, ['target']]]);
    assert.deepEqual(errorOf(bad), { code: 'CONVERTER_OUTPUT', message: 'result.rpcReply: data is missing (the reply; null for none)', stage: 'validate' });
  });

  test('a JSONata expression can carry them too', async () => {
    const r = await createUplinkRunner(converter('{ "deviceName": dev, "rpcReply": { "id": rpc, "data": { "result": result } } }', { language: 'jsonata' }),
      { maxConsecutiveFailures: 0 });
    open.push(r);
    const [c] = await r.convert([input({ dev: 'pump-2', rpc: 5, result: 'done' })]);
    assert.deepEqual(recordsOf(c)[0]?.rpcReplies, [{ id: 5, data: { result: 'done' } }]);
  });
});

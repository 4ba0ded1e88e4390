import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createDownlinkRunner } from '../../src/converters/index.ts';
import type { DownlinkConverterRunner, DownlinkInput } from '../../src/converters/index.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import { converter, SANDBOXES } from './helpers.ts';

const REQUEST: DownlinkInput = {
  msg: { temperatureUploadFrequency: 60, humidityUploadFrequency: 30 },
  metadata: { deviceName: 'sensorA', deviceType: 'temp-sensor', ss_serialNumber: 'SN111' },
  msgType: 'ATTRIBUTES_UPDATED',
  integrationMetadata: { integrationName: 'Test integration' },
};

const text = (data: Uint8Array | undefined): string => new TextDecoder().decode(data);

function outputError(message: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof CloudbridgeError);
    assert.equal(err.code, 'CONVERTER_OUTPUT');
    assert.match(err.message, message);
    return true;
  };
}

for (const sandbox of SANDBOXES) {
  describe(`downlink encoders (${sandbox})`, () => {
    const open: DownlinkConverterRunner[] = [];
    const make = async (script: string): Promise<DownlinkConverterRunner> => {
      const r = await createDownlinkRunner(converter(script, { type: 'downlink' }), { sandbox });
      open.push(r);
      return r;
    };
    after(() => { for (const r of open) r.dispose(); });

    test('a ThingsBoard-style encoder body produces JSON with scalar metadata', async () => {
      const r = await make(`
        var result = {
          contentType: 'JSON',
          data: JSON.stringify(msg),
          metadata: { topic: metadata['deviceType'] + '/' + metadata['deviceName'] + '/upload', qos: 1, retain: false }
        };
        return result;`);
      const { encoded, raw } = await r.encode(REQUEST);
      assert.equal(encoded.length, 1);
      assert.equal(encoded[0]?.contentType, 'JSON');
      assert.deepEqual(JSON.parse(text(encoded[0]?.data)), REQUEST.msg);
      assert.deepEqual(encoded[0]?.metadata, { topic: 'temp-sensor/sensorA/upload', qos: '1', retain: 'false' });
      assert.equal((raw as { contentType: string }).contentType, 'JSON');
    });

    test('TEXT becomes UTF-8 bytes, BINARY is base64-decoded, empty data is skipped', async () => {
      const r = await make(`return [
        { contentType: 'TEXT', data: 'température=' + msg.temperatureUploadFrequency + ' ' + msgType },
        { contentType: 'BINARY', data: bytesToBase64([0, 255, 16]) },
        { contentType: 'JSON', data: '' },
      ];`);
      const { encoded } = await r.encode(REQUEST);
      assert.equal(encoded.length, 2);
      assert.equal(text(encoded[0]?.data), 'température=60 ATTRIBUTES_UPDATED');
      assert.deepEqual([...encoded[1]?.data ?? []], [0, 255, 16]);
      assert.deepEqual(encoded[1]?.metadata, {});
    });

    test('a script that declares function Encoder works, with integrationMetadata', async () => {
      const r = await make(`function Encoder(msg, metadata, msgType, integrationMetadata) {
        return { contentType: 'TEXT', data: integrationMetadata.integrationName + ':' + metadata.deviceName };
      }`);
      assert.equal(text((await r.encode(REQUEST)).encoded[0]?.data), 'Test integration:sensorA');
    });

    test('bad outputs are CONVERTER_OUTPUT errors that name the field', async () => {
      await assert.rejects((await make("return { contentType: 'XML', data: '<a/>' };")).encode(REQUEST),
        outputError(/^result\.contentType: must be one of JSON, TEXT, BINARY, got "XML"$/));
      await assert.rejects((await make("return { contentType: 'JSON', data: msg };")).encode(REQUEST),
        outputError(/^result\.data: must be a string, got an object \(use JSON\.stringify\)$/));
      await assert.rejects((await make("return [{ contentType: 'TEXT', data: 'x', metadata: { topic: { nested: 1 } } }];")).encode(REQUEST),
        outputError(/^result\[0\]\.metadata\.topic: must be a string, number or boolean/));
      await assert.rejects((await make("return { contentType: 'BINARY', data: 'not base64!' };")).encode(REQUEST),
        outputError(/^result\.data: is not valid base64/));
      await assert.rejects((await make('return "JSON";')).encode(REQUEST),
        outputError(/^result: expected an object/));
      await assert.rejects((await make('var x = 1;')).encode(REQUEST),
        outputError(/Encoder returned nothing/));
    });

    test('a throwing encoder rejects with CONVERTER_RUNTIME and its line', async () => {
      await assert.rejects((await make('var a = 1;\nreturn msg.nope.deeper;')).encode(REQUEST), (err: unknown) => {
        assert.ok(err instanceof CloudbridgeError);
        assert.equal(err.code, 'CONVERTER_RUNTIME');
        assert.match(err.message, /^TypeError: .*\(line 2, column \d+\)$/);
        return true;
      });
    });

    test('JSONata is rejected for downlink converters', async () => {
      await assert.rejects(createDownlinkRunner(converter('$', { type: 'downlink', language: 'jsonata' }), { sandbox }),
        /JSONata is for uplink only/);
    });
  });
}

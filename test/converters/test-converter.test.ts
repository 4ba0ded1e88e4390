import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testConverter } from '../../src/converters/index.ts';
import { bytes, SANDBOXES } from './helpers.ts';

const SAMPLE = bytes({ deviceName: 'Thermometer', deviceType: 'thermostat', serialNumber: 'SN-12345', temperature: 25.5 });

for (const sandbox of SANDBOXES) {
  describe(`testConverter (${sandbox})`, () => {
    test('uplink: returns the raw output, the records and the console lines', async () => {
      const result = await testConverter({
        type: 'uplink', language: 'javascript', sandbox, receivedAt: 1000,
        script: 'var d = decodeToJson(payload);\nconsole.log("got", d.deviceName, { t: d.temperature });\nreturn { deviceName: d.deviceName, telemetry: { temperature: d.temperature } };',
        payload: SAMPLE, metadata: { integrationName: 'Test integration' },
      });
      assert.equal(result.error, undefined);
      assert.equal(result.sandbox, sandbox);
      assert.deepEqual(result.output, { deviceName: 'Thermometer', telemetry: { temperature: 25.5 } });
      assert.deepEqual(result.records, [{
        kind: 'DEVICE', name: 'Thermometer', type: 'default', attributes: [],
        telemetry: [{ ts: 1000, key: 'temperature', value: { type: 'double', value: 25.5 }, implicitTs: true }],
      }]);
      assert.deepEqual(result.logs, ['log: got Thermometer {"t":25.5}']);
    });

    test('uplink: each failing stage is reported, never thrown', async () => {
      const compile = await testConverter({ type: 'uplink', language: 'javascript', sandbox, script: 'return {;', payload: SAMPLE });
      assert.equal(compile.error?.stage, 'compile');
      assert.equal(compile.error?.code, 'CONVERTER_COMPILE');
      assert.equal(compile.error?.details.line, 1);

      const convert = await testConverter({ type: 'uplink', language: 'javascript', sandbox, script: 'console.warn("before");\nthrow new Error("nope");', payload: SAMPLE });
      assert.deepEqual([convert.error?.stage, convert.error?.code, convert.output], ['convert', 'CONVERTER_RUNTIME', undefined]);
      assert.deepEqual(convert.logs, ['warn: before']);

      const validate = await testConverter({ type: 'uplink', language: 'javascript', sandbox, script: 'return { telemetry: { t: 1 } };', payload: SAMPLE });
      assert.deepEqual([validate.error?.stage, validate.error?.code], ['validate', 'CONVERTER_OUTPUT']);
      assert.deepEqual(validate.output, { telemetry: { t: 1 } });
      assert.equal(validate.records, undefined);

      const payload = await testConverter({ type: 'uplink', language: 'jsonata', sandbox, script: '{"deviceName": name}', payload: bytes('nope') });
      assert.deepEqual([payload.error?.stage, payload.error?.code], ['convert', 'PAYLOAD_INVALID']);
    });

    test('downlink: returns the raw output and the encoded payloads', async () => {
      const result = await testConverter({
        type: 'downlink', language: 'javascript', sandbox,
        script: 'return { contentType: "JSON", data: JSON.stringify(msg), metadata: { topic: metadata.deviceName + "/" + msgType } };',
        msg: { temperatureUploadFrequency: 60 }, metadata: { deviceName: 'sensorA' }, msgType: 'ATTRIBUTES_UPDATED',
        integrationMetadata: { integrationName: 'Test integration' },
      });
      assert.equal(result.error, undefined);
      assert.deepEqual(result.output, { contentType: 'JSON', data: '{"temperatureUploadFrequency":60}', metadata: { topic: 'sensorA/ATTRIBUTES_UPDATED' } });
      assert.equal(result.encoded?.length, 1);
      assert.equal(new TextDecoder().decode(result.encoded?.[0]?.data), '{"temperatureUploadFrequency":60}');
    });

    test('invalid limits are reported as a config error', async () => {
      const result = await testConverter({ type: 'uplink', language: 'javascript', sandbox, script: 'return {};', payload: SAMPLE, limits: { memoryMb: 1 } });
      assert.equal(result.error?.code, 'CONFIG_INVALID');
      assert.match(result.error?.message ?? '', /limits\.memoryMb must be an integer from 8 to 2048/);
    });
  });
}

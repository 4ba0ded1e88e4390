/**
 * azure-iot-hub config pitfalls and errors as a user meets them: the wrong kind of connection
 * string refused naming the field and the right string; a policy key the hub refuses → AUTH_FAILED
 * naming the rights; a downlink over 64 KiB, or a twin patch that is not an object, refused before
 * sending; no secret in any of the messages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { azureIotHubConnector, validateIotHubConfig, type IotHubConfig } from '../../../src/connectors/azure-iot-hub/index.ts';
import { CloudbridgeError } from '../../../src/core/errors.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { createTestContext } from '../../support/connector-context.ts';

const KEY = Buffer.from('iot-config-test-key').toString('base64');

function refused(config: IotHubConfig, field: string, pattern: RegExp): void {
  assert.throws(() => validateIotHubConfig(config), (e: unknown) => {
    assert.ok(e instanceof CloudbridgeError);
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.equal(e.details.field, field);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes(KEY), 'no key in the message');
    return true;
  });
}

describe('azure-iot-hub config', () => {
  it('refuses a device string, an IoT Central host, an Event Hubs string, and an endpoint string without EntityPath', () => {
    refused({ connectionString: `HostName=h.azure-devices.net;DeviceId=d1;SharedAccessKey=${KEY}` }, 'connectionString', /device connection string.*service connection string/);
    refused({ connectionString: `HostName=app.azureiotcentral.com;SharedAccessKeyName=p;SharedAccessKey=${KEY}` }, 'connectionString', /IoT Central/);
    refused({ connectionString: `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=p;SharedAccessKey=${KEY}` }, 'connectionString', /Event Hubs-style string.*eventHubCompatibleConnectionString/);
    refused({ connectionString: `HostName=h.azure-devices.net;SharedAccessKeyName=p;SharedAccessKey=${KEY}`, eventHubCompatibleConnectionString: `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=p;SharedAccessKey=${KEY}` }, 'eventHubCompatibleConnectionString', /EntityPath/);
  });

  it('warns about $Default and iothubowner', () => {
    const warnings = validateIotHubConfig({ connectionString: `HostName=h.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${KEY}` });
    assert.ok(warnings.some((w) => /consumerGroup is \$Default/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /iothubowner/.test(w)), warnings.join('\n'));
  });
});

describe('azure-iot-hub errors (Azure double)', () => {
  let azure: AzureDouble;
  before(async () => { azure = await startAzureDouble({ iotHub: { name: 'err-hub', devices: ['dev1'], consumerGroups: ['cloudbridge'], keys: [{ name: 'cloudbridge', key: KEY }] } }); });
  after(() => azure.stop());

  it('a key the hub refuses: start fails with AUTH_FAILED naming the policy and its rights, without the key', async () => {
    const wrong = (azure.iotHub?.connectionString() ?? '').replace(KEY, Buffer.from('wrong').toString('base64'));
    const source = azureIotHubConnector.create({ connectionString: wrong, consumerGroup: 'cloudbridge' }, createTestContext());
    await assert.rejects(source.start(), (e: unknown) => {
      assert.ok(e instanceof CloudbridgeError, String(e));
      assert.equal(e.code, 'AUTH_FAILED');
      assert.match(e.message, /policy "cloudbridge".*ServiceConnect/);
      assert.ok(!JSON.stringify(e).includes(KEY));
      return true;
    });
    await source.stop();
    const check = await azureIotHubConnector.testConnection({ connectionString: wrong, consumerGroup: 'cloudbridge' }, AbortSignal.timeout(30_000));
    assert.equal(check.ok, false);
    assert.equal(check.error?.code, 'AUTH_FAILED');
  });

  it('check connection: the service, the built-in endpoint through the redirect, its partitions', async () => {
    const check = await azureIotHubConnector.testConnection({ connectionString: azure.iotHub?.connectionString() ?? '', consumerGroup: 'cloudbridge' }, AbortSignal.timeout(30_000));
    assert.deepEqual(check.checks.map((c) => [c.name, c.ok]), [['service', true], ['built-in endpoint', true], ['device-to-cloud', true]]);
    assert.ok(!JSON.stringify(check).includes(KEY));
  });

  it('refuses a downlink over 64 KiB and a twin patch that is not a JSON object, saying why', async () => {
    const source = azureIotHubConnector.create({ connectionString: azure.iotHub?.connectionString() ?? '', consumerGroup: 'cloudbridge', startPosition: 'latest' }, createTestContext());
    await source.start();
    try {
      const big = { contentType: 'BINARY' as const, data: new Uint8Array(64 * 1024 + 1), metadata: {}, deviceName: 'dev1', msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE' };
      await assert.rejects(source.sendDownlink?.(big, AbortSignal.timeout(10_000)) ?? Promise.resolve(), /DOWNLINK_FAILED|at most 65536 bytes \(64 KiB\)/);
      const notObject = { contentType: 'JSON' as const, data: Buffer.from('[1,2]'), metadata: {}, deviceName: 'dev1', msgType: 'ATTRIBUTES_UPDATED' };
      await assert.rejects(source.sendDownlink?.(notObject, AbortSignal.timeout(10_000)) ?? Promise.resolve(), /must return a JSON object/);
      assert.deepEqual(azure.hooks.iotHub.c2dQueue('dev1'), []);
    } finally {
      await source.stop();
    }
  });
});

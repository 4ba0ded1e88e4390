/**
 * The config pitfalls of `azure-event-hubs` give CONFIG_INVALID naming the field (or a warning), and
 * the errors Azure answers with (seen through the unmodified SDK against the double) are translated
 * into catalogue codes with the field and the fix, never with the key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { azureEventHubsConnector, validateEventHubsConfig, type EventHubsConfig } from '../../../src/connectors/azure-event-hubs/index.ts';
import { parseAzureConnectionString, translateAzureError } from '../../../src/connectors/azure-common/index.ts';
import { CloudbridgeError } from '../../../src/core/errors.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { committingContext, hubConfig } from './helpers.ts';

const NS = 'Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=c2VjcmV0LWtleQ==';

function invalid(config: Partial<EventHubsConfig>): CloudbridgeError {
  try {
    validateEventHubsConfig({ connectionString: NS, eventHubName: 'hub', consumerGroup: 'cb', ...config });
  } catch (err) {
    assert.ok(err instanceof CloudbridgeError);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.ok(!err.message.includes('c2VjcmV0LWtleQ=='), 'no key in the message');
    return err;
  }
  assert.fail('expected CONFIG_INVALID');
}

describe('azure-event-hubs config pitfalls', () => {
  it('classifies Azure connection strings', () => {
    assert.equal(parseAzureConnectionString(NS).kind, 'namespace');
    assert.equal(parseAzureConnectionString('HostName=hub.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=k').kind, 'iot-hub');
    assert.equal(parseAzureConnectionString('HostName=hub.azure-devices.net;DeviceId=dev1;SharedAccessKey=k').kind, 'device');
    assert.equal(parseAzureConnectionString('HostName=app.azureiotcentral.com;SharedAccessKeyName=x;SharedAccessKey=k').kind, 'iot-central');
    assert.equal(parseAzureConnectionString(`${NS};EntityPath=telemetry`).entityPath, 'telemetry');
  });

  it('a device string, an IoT Hub string, an IoT Central host, garbage: CONFIG_INVALID on connectionString with the fix', () => {
    const device = invalid({ connectionString: 'HostName=hub.azure-devices.net;DeviceId=dev1;SharedAccessKey=c2VjcmV0LWtleQ==' });
    assert.equal(device.details.field, 'connectionString');
    assert.match(device.message, /device connection string.*DeviceId=dev1.*shared access policy/);
    assert.match(invalid({ connectionString: 'HostName=hub.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=c2VjcmV0LWtleQ==' }).message, /IoT Hub connection string.*azure-iot-hub connector.*Event Hub-compatible endpoint/);
    assert.match(invalid({ connectionString: 'HostName=app.azureiotcentral.com;SharedAccessKeyName=x;SharedAccessKey=c2VjcmV0LWtleQ==' }).message, /IoT Central.*Data export/);
    assert.match(invalid({ connectionString: 'not a connection string' }).message, /not an Azure connection string.*Endpoint=sb:\/\//);
    assert.match(invalid({ connectionString: 'Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=listen' }).message, /lacks SharedAccessKey/);
  });

  it('a missing hub name, a disagreeing EntityPath, enqueuedTime without a time: CONFIG_INVALID naming the field', () => {
    assert.equal(invalid({ eventHubName: undefined }).details.field, 'eventHubName');
    const clash = invalid({ connectionString: `${NS};EntityPath=other` });
    assert.equal(clash.details.field, 'eventHubName');
    assert.match(clash.message, /EntityPath is "other"/);
    assert.equal(invalid({ startPosition: 'enqueuedTime' }).details.field, 'startEnqueuedTime');
    assert.equal(invalid({ startPosition: 'enqueuedTime', startEnqueuedTime: '2026-13-45T99:00Z' }).details.field, 'startEnqueuedTime');
  });

  it('warns about $Default, the root policy and a stray startEnqueuedTime', () => {
    const w = validateEventHubsConfig({
      connectionString: 'Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=k;EntityPath=hub',
      startEnqueuedTime: '2026-01-01T00:00:00Z',
    });
    assert.equal(w.length, 3);
    assert.match(w.join('\n'), /\$Default.*dedicated|Create a consumer group for Cloudbridge/);
    assert.match(w.join('\n'), /RootManageSharedAccessKey.*Listen/);
    assert.match(w.join('\n'), /only used with enqueuedTime/);
    assert.deepEqual(validateEventHubsConfig({ connectionString: `${NS};EntityPath=hub`, consumerGroup: 'cloudbridge' }), []);
  });

  it('masks SAS signatures and keys in translated errors', () => {
    const err = translateAzureError(Object.assign(new Error('bad token SharedAccessSignature sr=x&sig=abcdef&se=1 with SharedAccessKey=topsecret;'), { code: 'UnauthorizedError' }), {
      connector: 'Event Hubs', field: 'eventHubName', operation: 'reading', entity: 'event hub "h"', rights: 'Listen',
    });
    assert.equal(err.code, 'AUTH_FAILED');
    assert.ok(!/abcdef|topsecret/.test(err.message), err.message);
  });
});

describe('azure-event-hubs errors from the double', () => {
  let azure: AzureDouble;
  const check = async (config: EventHubsConfig): Promise<Awaited<ReturnType<typeof azureEventHubsConnector.testConnection>>> =>
    azureEventHubsConnector.testConnection(config, AbortSignal.timeout(30_000));
  before(async () => {
    azure = await startAzureDouble({ eventHubs: { hubs: [{ name: 'h1', partitions: 2, consumerGroups: ['cg1'], keys: [{ name: 'send-only', key: 'c2VuZA==', rights: ['Send'] }] }] } });
  });
  after(async () => { await azure.stop(); });

  it('testConnection: the hub, its partitions and the consumer group, consuming nothing', async () => {
    azure.hooks.eventHubs.publish('h1', [{ body: Buffer.from('x') }], { partitionId: '0' });
    const result = await check(hubConfig(azure, 'h1'));
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(result.checks.map((c) => c.name), ['event hub', 'partitions', 'consumer group']);
    assert.match(result.checks[1]?.message ?? '', /0: last sequence number 0; 1: empty/);
  });

  it('an unknown consumer group: NOT_FOUND on consumerGroup, at testConnection and at start (MISCONFIGURED)', async () => {
    const result = await check(hubConfig(azure, 'h1', { consumerGroup: 'nope' }));
    assert.equal(result.ok, false);
    assert.equal(result.error?.code, 'NOT_FOUND');
    assert.match(result.error?.message ?? '', /consumer group "nope"/);
    const ctx = committingContext();
    const source = azureEventHubsConnector.create(hubConfig(azure, 'h1', { consumerGroup: 'nope' }), ctx);
    await assert.rejects(source.start(), (err: CloudbridgeError) => err.code === 'NOT_FOUND' && err.details.field === 'consumerGroup' && !err.retryable);
  });

  it('an unknown event hub: NOT_FOUND on eventHubName', async () => {
    const result = await check({ ...hubConfig(azure, 'h1'), connectionString: azure.eventHubs.connectionString('missing') });
    assert.equal(result.error?.code, 'NOT_FOUND');
    assert.match(result.error?.message ?? '', /eventHubName/);
  });

  it('a wrong key, or a policy without Listen: AUTH_FAILED saying which rights the policy needs', async () => {
    const wrongKey = azure.eventHubs.connectionString('h1').replace(/SharedAccessKey=[^;]*/, 'SharedAccessKey=d3Jvbmc=');
    const bad = await check({ ...hubConfig(azure, 'h1'), connectionString: wrongKey });
    assert.equal(bad.error?.code, 'AUTH_FAILED');
    assert.match(bad.error?.message ?? '', /Listen/);
    assert.ok(!(bad.error?.message ?? '').includes('d3Jvbmc='));
    const sendOnlyString = azure.eventHubs.connectionString('h1').replace(/SharedAccessKeyName=[^;]*;SharedAccessKey=[^;]*/, 'SharedAccessKeyName=send-only;SharedAccessKey=c2VuZA==');
    const sendOnly = await check({ ...hubConfig(azure, 'h1'), connectionString: sendOnlyString });
    assert.equal(sendOnly.ok, false);
    assert.equal(sendOnly.error?.code, 'AUTH_FAILED', JSON.stringify(sendOnly));
    assert.match(sendOnly.error?.message ?? '', /send-only.*Listen/);
  });

  it('another reader takes a partition (amqp:link:stolen): "use a dedicated consumer group" in the status', async () => {
    const ctx = committingContext();
    const source = azureEventHubsConnector.create(hubConfig(azure, 'h1', { loadBalancing: 'greedy' }), ctx);
    await source.start();
    const { waitFor } = await import('../../support/wait.ts');
    await waitFor(() => azure.hooks.eventHubs.consumers('h1').filter((c) => c.consumerGroup === 'cg1').length === 2, 'both partitions read', 20_000);
    azure.hooks.eventHubs.disconnectConsumers('h1', { consumerGroup: 'cg1', partitionId: '1', condition: 'amqp:link:stolen', description: 'New receiver with higher epoch of 5 is created hence current receiver is getting disconnected.' });
    await waitFor(() => ctx.states.some((s) => s.state === 'disconnected'), 'reported disconnected', 20_000);
    const error = ctx.states.find((s) => s.state === 'disconnected')?.error as CloudbridgeError;
    assert.match(error.message, /dedicated consumer group/);
    await source.stop();
  });
});

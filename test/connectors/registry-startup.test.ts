/**
 * Cloud SDKs load on first use, not at startup (src/connectors/README.md, "Load your SDK
 * lazily"). A child process records every package its imports and requires resolve to (a
 * synchronous module hook, so CommonJS SDKs count too), then imports the registry and the app.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The packages of the cloud SDKs, those of the connectors we have and of those planned (Azure, Google, IBM). */
const CLOUD_SDK = /^(@aws-sdk\/|@aws\/|@smithy\/|@azure\/|azure-|rhea|@google-cloud\/|google-gax|@grpc\/|ibm)/;

const PROBE = `
import { registerHooks } from 'node:module';
const loaded = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const pkg = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url);
    if (pkg) loaded.add(pkg[1]);
    return resolved;
  },
});
const seen = () => [...loaded].sort();
const out = {};
await import('./src/connectors/registry.ts');
out.registry = seen();
await import('./src/app/app.ts');
out.app = seen();
const sqs = await import('./src/connectors/aws-sqs/index.ts');
(await sqs.sdkApiFor(sqs.resolveSqsConfig({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q' }))).destroy();
out.sqs = seen();
const kinesis = await import('./src/connectors/aws-kinesis/index.ts');
(await kinesis.sdkApiFor(kinesis.resolveKinesisConfig({ streamName: 's', region: 'eu-west-1' }, 'probe'))).destroy();
out.kinesis = seen();
const eh = await import('./src/connectors/azure-event-hubs/index.ts');
await (await eh.sdkApiFor({ connectionString: 'Endpoint=sb://localhost:1/;SharedAccessKeyName=k;SharedAccessKey=a2V5;EntityPath=h;UseDevelopmentEmulator=true', eventHubName: 'h', consumerGroup: '$Default', owner: 'probe', store: null, loadBalancing: 'balanced', ownershipExpirationMs: 30000, updateIntervalMs: 10000 })).close();
out.eventHubs = seen();
const iot = await import('./src/connectors/azure-iot-hub/index.ts');
await iot.sdkApiFor({ connectionString: 'HostName=probe.azure-devices.net;SharedAccessKeyName=p;SharedAccessKey=cHJvYmU=' });
out.iot = seen();
const serviceBus = await import('./src/connectors/azure-service-bus/index.ts');
await (await serviceBus.sdkApiFor(serviceBus.resolveServiceBusConfig({ connectionString: 'Endpoint=sb://probe.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=a2V5', queueName: 'q' }))).close();
out.serviceBus = seen();
const pubsub = await import('./src/connectors/gcp-pubsub/index.ts');
await (await pubsub.sdkApiFor(pubsub.resolvePubSubConfig({ projectId: 'probe-project', subscription: 'probe-sub', apiEndpoint: 'http://127.0.0.1:1' }))).close();
out.pubsub = seen();
process.stdout.write(JSON.stringify(out));
`;

interface Loaded {
  registry: string[];
  app: string[];
  sqs: string[];
  kinesis: string[];
  eventHubs: string[];
  iot: string[];
  serviceBus: string[];
  pubsub: string[];
}

function probe(): Loaded {
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', PROBE], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })) as Loaded;
}

describe('connector SDKs load on first use', () => {
  const loaded = probe();

  it('importing the registry and the app loads no cloud SDK', () => {
    assert.ok(loaded.registry.includes('mqtt'), `the probe sees packages: ${loaded.registry.join(', ')}`);
    assert.deepEqual(loaded.registry.filter((p) => CLOUD_SDK.test(p)), [], 'cloud SDK packages loaded by importing src/connectors/registry.ts');
    assert.deepEqual(loaded.app.filter((p) => CLOUD_SDK.test(p)), [], 'cloud SDK packages loaded by importing src/app/app.ts');
  });

  it('the first SQS client loads the SQS SDK, the first Kinesis client the Kinesis SDK', () => {
    assert.ok(loaded.sqs.includes('@aws-sdk/client-sqs'), `after sdkApiFor (aws-sqs): ${loaded.sqs.join(', ')}`);
    assert.ok(!loaded.sqs.includes('@aws-sdk/client-kinesis'), 'the SQS client does not load the Kinesis SDK');
    assert.ok(loaded.kinesis.includes('@aws-sdk/client-kinesis'), `after sdkApiFor (aws-kinesis): ${loaded.kinesis.join(', ')}`);
  });

  it('the first Event Hubs client loads @azure/event-hubs (and no other Azure SDK)', () => {
    assert.ok(!loaded.kinesis.some((p) => p.startsWith('@azure/')), 'no Azure SDK before an Event Hubs client is made');
    assert.ok(loaded.eventHubs.includes('@azure/event-hubs'), `after sdkApiFor (azure-event-hubs): ${loaded.eventHubs.join(', ')}`);
    assert.ok(!loaded.eventHubs.includes('@azure/service-bus') && !loaded.eventHubs.includes('azure-iothub'), 'the Event Hubs client loads neither the Service Bus nor the IoT Hub SDK');
  });

  it('the first IoT Hub client loads azure-iothub (and rhea for the redirect)', () => {
    assert.ok(loaded.iot.includes('azure-iothub') && loaded.iot.includes('rhea'), `after sdkApiFor (azure-iot-hub): ${loaded.iot.join(', ')}`);
  });

  it('the first Service Bus client loads @azure/service-bus', () => {
    assert.ok(!loaded.kinesis.includes('@azure/service-bus'), 'not before');
    assert.ok(loaded.serviceBus.includes('@azure/service-bus'), `after sdkApiFor (azure-service-bus): ${loaded.serviceBus.join(', ')}`);
  });

  it('the first Pub/Sub client loads the Pub/Sub SDK and gRPC', () => {
    assert.ok(!loaded.kinesis.includes('@google-cloud/pubsub'), 'no AWS client loads the Pub/Sub SDK');
    assert.ok(loaded.pubsub.includes('@google-cloud/pubsub') && loaded.pubsub.includes('@grpc/grpc-js'), `after sdkApiFor (gcp-pubsub): ${loaded.pubsub.join(', ')}`);
  });
});

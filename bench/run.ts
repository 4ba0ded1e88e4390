/**
 * `npm run bench [-- <target>] [options]`: without a target, every bench of the report in one run
 * (mqtt, aws-sqs, aws-iot-core, aws-kinesis, azure-event-hubs, azure-service-bus, gcp-pubsub, scale-out), printed as one table with ratios and
 * targets and saved as JSON in bench/results/ (docs/benchmarks.md). Those targets run one of them
 * (same table); `mqtt-connections`, `converters`, `isolation`, `thingsboard-forwarder` and `retention` (`--store
 * sqlite|postgres`) print their own figures.
 * Benchmarks never assert on speed (machines are shared and noisy). A bench that fails is reported
 * and the others still run; the exit code is then 1.
 */
import { parseArgs } from 'node:util';
import { connectorBenchRow, formatTable, lastResult, runContext, saveResult, type BenchRow } from './report.ts';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2), allowPositionals: true,
  options: {
    n: { type: 'string' }, live: { type: 'string' }, paced: { type: 'string' }, rate: { type: 'string' }, receivers: { type: 'string' },
    shards: { type: 'string' }, partitions: { type: 'string' }, rounds: { type: 'string' }, 'no-save': { type: 'boolean' },
    store: { type: 'string' },
  },
});
const target = positionals[0] ?? 'all';
const REPORTED = ['mqtt', 'aws-sqs', 'aws-iot-core', 'aws-kinesis', 'azure-event-hubs', 'azure-service-bus', 'gcp-pubsub', 'scale-out'];
const num = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : Number(text));
/** --n is the drain size of every bench run; each has its own default. */
const n = (fallback: number): number => num(values.n, fallback);

async function runReported(name: string): Promise<BenchRow[]> {
  switch (name) {
    case 'mqtt': {
      const { benchMqtt } = await import('./mqtt.ts');
      return benchMqtt({ n: n(200_000), live: num(values.live, 100_000), paced: num(values.paced, 25_000), rate: num(values.rate, 5000) });
    }
    case 'aws-sqs': {
      const { benchAwsSqs } = await import('./aws-sqs.ts');
      const pair = await benchAwsSqs({ n: n(20_000), ...(values.receivers ? { receivers: Number(values.receivers) } : {}), ...(values.rounds ? { rounds: Number(values.rounds) } : {}) });
      return [connectorBenchRow('aws-sqs', `drain ${n(20_000)} from fauxqs (median of rounds)`, pair)];
    }
    case 'azure-service-bus': {
      const { benchAzureServiceBus } = await import('./azure-service-bus.ts');
      const pair = await benchAzureServiceBus({ n: n(20_000), ...(values.rounds ? { rounds: Number(values.rounds) } : {}) });
      return [connectorBenchRow('azure-service-bus', `drain ${n(20_000)} from the Azure double (median of rounds)`, pair)];
    }
    case 'aws-iot-core': {
      const { benchAwsIotCore } = await import('./aws-iot-core.ts');
      const pair = await benchAwsIotCore({ n: n(100_000) });
      return [connectorBenchRow('aws-iot-core', `drain ${n(100_000)} preloaded over mutual TLS`, pair, 'plain mqtt.js subscriber')];
    }
    case 'aws-kinesis': {
      const { benchAwsKinesis } = await import('./aws-kinesis.ts');
      const pair = await benchAwsKinesis({ n: n(100_000), ...(values.shards ? { shards: Number(values.shards) } : {}), ...(values.rounds ? { rounds: Number(values.rounds) } : {}) });
      return [connectorBenchRow('aws-kinesis', `drain ${n(100_000)} from kinesalite (median of rounds)`, pair)];
    }
    case 'azure-event-hubs': {
      const { benchAzureEventHubs } = await import('./azure-event-hubs.ts');
      const pair = await benchAzureEventHubs({ n: n(50_000), ...(values.partitions ? { partitions: Number(values.partitions) } : {}), ...(values.rounds ? { rounds: Number(values.rounds) } : {}) });
      return [connectorBenchRow('azure-event-hubs', `drain ${n(50_000)} from the Azure double (median of rounds)`, pair)];
    }
    case 'gcp-pubsub': {
      const { benchGcpPubSub } = await import('./gcp-pubsub.ts');
      const pair = await benchGcpPubSub({ n: n(20_000), ...(values.rounds ? { rounds: Number(values.rounds) } : {}) });
      return [connectorBenchRow('gcp-pubsub', `drain ${n(20_000)} from the emulator (median of rounds)`, pair, 'raw @google-cloud/pubsub subscriber')];
    }
    case 'scale-out': {
      const { benchScaleOut } = await import('./scale-out.ts');
      const { scaleOutBenchRows } = await import('./scale-out-rows.ts');
      return scaleOutBenchRows(await benchScaleOut({ ...(values.n ? { n: Number(values.n) } : {}), ...(values.shards ? { shards: Number(values.shards) } : {}) }));
    }
    default:
      throw new Error(`not a reported bench: ${name}`);
  }
}

async function report(names: string[]): Promise<void> {
  const context = runContext(names.length === REPORTED.length ? ['all'] : names, values);
  const last = lastResult(values);
  const rows: BenchRow[] = [];
  for (const name of names) {
    try {
      rows.push(...await runReported(name));
    } catch (err) {
      console.error(`${name}: the bench failed, its rows are missing: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    }
    console.log('');
  }
  console.log(formatTable(rows, last));
  if (!values['no-save']) console.log(`\nsaved: ${saveResult(context, rows)}`);
}

switch (target) {
  case 'all':
    await report(REPORTED);
    break;
  case 'mqtt':
  case 'aws-iot-core':
  case 'aws-sqs':
  case 'aws-kinesis':
  case 'azure-event-hubs':
  case 'azure-service-bus':
  case 'gcp-pubsub':
  case 'scale-out':
    await report([target]);
    break;
  case 'mqtt-connections': {
    const { benchMqttConnections } = await import('./mqtt-connections.ts');
    await benchMqttConnections({ n: n(100_000), rounds: num(values.rounds, 1) });
    break;
  }
  case 'converters':
    await import('./converter-runtime.ts');
    break;
  case 'thingsboard-forwarder': {
    const { benchThingsboardForwarder } = await import('./thingsboard-forwarder.ts');
    await benchThingsboardForwarder({ n: n(50_000) });
    break;
  }
  case 'retention':
    await import('./retention-prune.ts');
    break;
  case 'isolation': {
    const { benchConverterIsolation } = await import('./converter-isolation.ts');
    await benchConverterIsolation({ n: n(20_000), rate: num(values.rate, 2000) });
    break;
  }
  default:
    console.error(`unknown bench target "${target}" (all, ${REPORTED.join(', ')}, mqtt-connections, converters, isolation, thingsboard-forwarder, retention)`);
    process.exitCode = 2;
}

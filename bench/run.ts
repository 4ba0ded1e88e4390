/**
 * `npm run bench [-- <target>] [--n N]`: targets `mqtt` (default), `aws-iot-core`, `aws-sqs`, `aws-kinesis`,
 * `converters`, `isolation`. Benchmarks print figures; they never assert on speed (machines are shared and noisy).
 */
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2), allowPositionals: true,
  options: { n: { type: 'string' }, live: { type: 'string' }, rate: { type: 'string' }, receivers: { type: 'string' }, shards: { type: 'string' }, rounds: { type: 'string' } },
});
const target = positionals[0] ?? 'mqtt';
const n = (fallback: number): number => Number(values.n ?? fallback);

switch (target) {
  case 'mqtt': {
    const { benchMqtt } = await import('./mqtt.ts');
    await benchMqtt({ n: n(200_000), live: Number(values.live ?? 20_000), liveRate: Number(values.rate ?? 5000) });
    break;
  }
  case 'mqtt-connections': await (await import('./mqtt-connections.ts')).benchMqttConnections({ n: n(100_000), rounds: Number(values.rounds ?? 1) }); break;
  case 'aws-iot-core': {
    const { benchAwsIotCore } = await import('./aws-iot-core.ts');
    await benchAwsIotCore({ n: n(100_000) });
    break;
  }
  case 'aws-sqs': {
    const { benchAwsSqs } = await import('./aws-sqs.ts');
    await benchAwsSqs({ n: n(20_000), ...(values.receivers ? { receivers: Number(values.receivers) } : {}) });
    break;
  }
  case 'aws-kinesis': {
    const { benchAwsKinesis } = await import('./aws-kinesis.ts');
    await benchAwsKinesis({ n: n(100_000), ...(values.shards ? { shards: Number(values.shards) } : {}), ...(values.rounds ? { rounds: Number(values.rounds) } : {}) });
    break;
  }
  case 'scale-out':
    await (await import('./scale-out.ts')).benchScaleOut({ ...(values.n ? { n: Number(values.n) } : {}), ...(values.shards ? { shards: Number(values.shards) } : {}) });
    break;
  case 'converters':
    await import('./converter-runtime.ts');
    break;
  case 'isolation': {
    const { benchConverterIsolation } = await import('./converter-isolation.ts');
    await benchConverterIsolation({ n: n(20_000), rate: Number(values.rate ?? 2000) });
    break;
  }
  default:
    console.error(`unknown bench target "${target}" (mqtt, aws-iot-core, aws-sqs, aws-kinesis, converters, isolation)`);
    process.exitCode = 2;
}

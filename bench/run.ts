/**
 * `npm run bench [-- <target>] [--n N]`: targets `mqtt` (default), `converters`.
 * Benchmarks print figures; they never assert on speed (machines are shared and noisy).
 */
import { parseArgs } from 'node:util';
import { benchMqtt } from './mqtt.ts';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2), allowPositionals: true,
  options: { n: { type: 'string' }, live: { type: 'string' }, rate: { type: 'string' } },
});
const target = positionals[0] ?? 'mqtt';

switch (target) {
  case 'mqtt':
    await benchMqtt({ n: Number(values.n ?? 200_000), live: Number(values.live ?? 20_000), liveRate: Number(values.rate ?? 5000) });
    break;
  case 'converters':
    await import('./converter-runtime.ts');
    break;
  default:
    console.error(`unknown bench target "${target}" (mqtt, converters)`);
    process.exitCode = 2;
}

/**
 * The ThingsBoard double as a process, for trying the forwarder or the demo by hand:
 *
 *   node test/peers/thingsboard/cli.ts [--port 1884] [--token T] [--max-devices N] [--tls]
 *
 * It prints one JSON line ({url, host, port, gateway: {name, token}, ca?}), then one line per
 * session, device creation, refusal and RPC reply and a points total every 5 s while points arrive,
 * and serves until SIGINT or SIGTERM. On stdin it takes commands that act as ThingsBoard would (a
 * server-side RPC, shared attributes, an outage: cli-commands.ts); `help` lists them.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CLI_COMMANDS_HELP, runCliCommand } from './cli-commands.ts';
import { DEFAULT_GATEWAY_NAME, startThingsBoardDouble, type DoubleEvent } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    token: { type: 'string' },
    'max-devices': { type: 'string' },
    tls: { type: 'boolean', default: false },
  },
});

const tb = await startThingsBoardDouble({
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values.token ? { devices: [{ name: DEFAULT_GATEWAY_NAME, gateway: true, token: values.token }] } : {}),
  ...(values['max-devices'] ? { maxDevices: Number(values['max-devices']) } : {}),
  tls: values.tls,
});
console.log(JSON.stringify({ url: tb.url, host: tb.host, port: tb.port, gateway: tb.gateway, ...(tb.ca ? { ca: tb.ca } : {}) }));

tb.events.on('change', (e: DoubleEvent) => {
  if (e.kind === 'session-open') console.log(`session ${e.session.id} open: ${e.session.device}, MQTT ${e.session.protocolVersion}`);
  else if (e.kind === 'session-close') console.log(`session ${e.sessionId} closed`);
  else if (e.kind === 'device-created') console.log(`device created: ${e.device.name} (${e.device.type})`);
  else if (e.kind === 'refusal') console.log(`refused on ${e.refusal.topic}: ${e.refusal.reason}`);
  else if (e.kind === 'rpc-reply') console.log(`RPC reply ${e.reply.id} from ${e.reply.device}: ${e.reply.raw}`);
});
let reported = 0;
const ticker = setInterval(() => {
  const total = tb.telemetryCount();
  if (total !== reported) console.log(`points received: ${total}`);
  reported = total;
}, 5000);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'help') {
    console.log(CLI_COMMANDS_HELP);
    return;
  }
  runCliCommand(tb, line).then(
    (out) => { if (out) console.log(out); },
    (err: unknown) => console.log(`error: ${err instanceof Error ? err.message : String(err)}`),
  );
});

const shutdown = async (): Promise<void> => {
  clearInterval(ticker);
  await tb.dispose();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

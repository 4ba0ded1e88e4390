/**
 * `cloudbridge demo`: Cloudbridge on SQLite with a demo fleet (in-process MQTT broker, simulated
 * devices, a preconfigured `mqtt` integration with a ThingsBoard-style converter).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startApp } from '../app/app.ts';
import { ensurePrivateDir } from '../core/private-files.ts';
import { startDemoBroker } from '../demo/broker.ts';
import { CloudbridgeError } from '../core/errors.ts';
import { demoConfig, parseThingsboardAddress } from '../demo/demo-config.ts';
import { startFleet } from '../demo/fleet.ts';
import { parseCommand } from './args.ts';
import { logFormat, printBanner, waitForShutdown } from './start.ts';

const HELP = `Usage: cloudbridge demo [--port N] [--data DIR] [--devices N] [--thingsboard HOST[:PORT] --token T] [--log-format pretty|json]

Starts Cloudbridge (SQLite in DIR, default ./data/demo) with an in-process MQTT broker and simulated
devices publishing JSON telemetry to a preconfigured "demo-mqtt" integration. Within seconds the
devices and their growing telemetry are visible through the API.

With --thingsboard and --token, everything stored is also forwarded to that ThingsBoard (MQTT port,
default 1883) as the gateway device whose access token is T ("Is gateway" checked); RPCs and shared
attributes set there come back to the simulated devices as downlinks.
--log-format pretty|json: how log lines are written (default: pretty on a terminal, else json).`;

/** The demo keeps its admin token in DATA/admin-token (0600) so it can print it at every start. */
function demoToken(dataDir: string): string {
  if (process.env.CLOUDBRIDGE_ADMIN_TOKEN) return process.env.CLOUDBRIDGE_ADMIN_TOKEN;
  const file = resolve(dataDir, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = `cb_demo_${randomBytes(18).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

export async function runDemo(args: string[]): Promise<number> {
  const parsed = parseCommand(args, {
    port: { type: 'string' }, data: { type: 'string' }, devices: { type: 'string' }, thingsboard: { type: 'string' }, token: { type: 'string' }, 'log-format': { type: 'string' },
  }, HELP);
  if (!parsed) return 0;
  const v = parsed.values as Record<string, string | undefined>;
  const thingsboard = thingsboardOption(v.thingsboard, v.token);
  const format = logFormat(v['log-format'], undefined);
  const dataDir = resolve(v.data ?? './data/demo');
  ensurePrivateDir(dataDir);
  const token = demoToken(dataDir);
  const broker = await startDemoBroker();
  const config = demoConfig({ brokerPort: broker.port, serverPort: Number(v.port ?? 8080), dbPath: resolve(dataDir, 'cloudbridge.db'), ...(thingsboard ? { thingsboard } : {}) });
  config.logging.format = format;
  const app = await startApp({
    config,
    env: { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: token },
  });
  const fleet = await startFleet({ port: broker.port, devices: Number(v.devices ?? 5) });
  const first = fleet.names[0] ?? 'demo-sensor-01';
  printBanner(app, [
    `Admin token: ${token}`,
    `Demo: ${fleet.names.length} simulated devices publish to an in-process MQTT broker on 127.0.0.1:${broker.port}`,
    ...(thingsboard ? [`ThingsBoard: forwarding every integration to ${thingsboard.host}:${thingsboard.port} as a gateway (forwarder "demo-thingsboard"; status: GET /api/v1/forwarders/demo-thingsboard)`] : []),
    'Try:',
    `  curl -s -H "Authorization: Bearer ${token}" ${app.url}/api/v1/devices`,
    `  curl -s -H "Authorization: Bearer ${token}" "${app.url}/api/v1/devices/${first}/telemetry?keys=temperature&limit=5"`,
    `  curl -s -H "Authorization: Bearer ${token}" -H 'content-type: application/json' -d '{"msgType":"RPC_CALL_FROM_SERVER_TO_DEVICE","msg":{"reportEverySeconds":5}}' ${app.url}/api/v1/devices/${first}/downlink`,
    'Press Ctrl+C to stop.',
  ]);
  const code = await waitForShutdown(app);
  await fleet.stop();
  await broker.close();
  return code;
}

function thingsboardOption(address: string | undefined, token: string | undefined): { host: string; port: number; token: string } | null {
  if (address === undefined && token === undefined) return null;
  if (address === undefined) throw new CloudbridgeError('CONFIG_INVALID', '--token needs --thingsboard HOST[:PORT] (the ThingsBoard MQTT address)', { field: 'thingsboard' });
  if (!token) throw new CloudbridgeError('CONFIG_INVALID', '--thingsboard needs --token T: the access token of a ThingsBoard device with "Is gateway" checked', { field: 'token' });
  const at = parseThingsboardAddress(address);
  if (!at) throw new CloudbridgeError('CONFIG_INVALID', `--thingsboard: "${address}" is not HOST or HOST:PORT`, { field: 'thingsboard' });
  return { ...at, token };
}

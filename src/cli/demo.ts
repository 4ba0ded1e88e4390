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
import { demoConfig } from '../demo/demo-config.ts';
import { startFleet } from '../demo/fleet.ts';
import { parseCommand } from './args.ts';
import { printBanner, waitForShutdown } from './start.ts';

const HELP = `Usage: cloudbridge demo [--port N] [--data DIR] [--devices N]

Starts Cloudbridge (SQLite in DIR, default ./data/demo) with an in-process MQTT broker and simulated
devices publishing JSON telemetry to a preconfigured "demo-mqtt" integration. Within seconds the
devices and their growing telemetry are visible through the API.`;

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
  const parsed = parseCommand(args, { port: { type: 'string' }, data: { type: 'string' }, devices: { type: 'string' } }, HELP);
  if (!parsed) return 0;
  const v = parsed.values as Record<string, string | undefined>;
  const dataDir = resolve(v.data ?? './data/demo');
  ensurePrivateDir(dataDir);
  const token = demoToken(dataDir);
  const broker = await startDemoBroker();
  const app = await startApp({
    config: demoConfig({ brokerPort: broker.port, serverPort: Number(v.port ?? 8080), dbPath: resolve(dataDir, 'cloudbridge.db') }),
    env: { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: token },
  });
  const fleet = await startFleet({ port: broker.port, devices: Number(v.devices ?? 5) });
  const first = fleet.names[0] ?? 'demo-sensor-01';
  printBanner(app, [
    `Admin token: ${token}`,
    `Demo: ${fleet.names.length} simulated devices publish to an in-process MQTT broker on 127.0.0.1:${broker.port}`,
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

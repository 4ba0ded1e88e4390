/**
 * The ThingsBoard double as a process (`cli.ts`): it prints where it listens and the gateway token
 * as one JSON line, accepts a gateway's telemetry from another client, reports it, and exits 0 on
 * SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { GATEWAY_TOPIC } from './codes.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

it('runs as a process: prints url and token, logs what a gateway does, exits 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, [CLI, '--token', 'cli-token', '--max-devices', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const first = await lines.next();
    const described = JSON.parse(String(first.value)) as { url: string; gateway: { name: string; token: string } };
    assert.equal(described.gateway.token, 'cli-token');
    const gw = await connectAsync(described.url, { username: 'cli-token', protocolVersion: 5, reconnectPeriod: 0 });
    await gw.publishAsync(GATEWAY_TOPIC.TELEMETRY, JSON.stringify({ 'CLI Device': [{ t: 1 }] }), { qos: 1 });
    await assert.rejects(gw.publishAsync(GATEWAY_TOPIC.CONNECT, JSON.stringify({ device: 'Second' }), { qos: 1 }), /Quota exceeded/);
    await gw.endAsync();
    const logged: string[] = [];
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      logged.push(String(next.value));
      if (/^session \d+ closed/.test(String(next.value))) break;
    }
    assert.deepEqual(logged.map((l) => l.replace(/session \d+/, 'session')), [
      'session open: Cloudbridge Gateway, MQTT 5',
      'device created: CLI Device (default)',
      'refused on v1/gateway/connect: 0x97 QUOTA_EXCEEDED: device limit reached: creating "Second" would exceed maxDevices',
      'session closed',
    ]);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});

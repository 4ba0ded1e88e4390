/**
 * The ThingsBoard double as a process (`cli.ts`): it prints where it listens and the gateway token
 * as one JSON line, accepts a gateway's telemetry from another client, reports it, and exits 0 on
 * SIGTERM; on stdin it takes commands that act as ThingsBoard (an RPC, shared attributes, an outage).
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

it('stdin commands: an RPC answered by the gateway, shared attributes pushed to it, stop and start, a bad command explained', async () => {
  const child = spawn(process.execPath, [CLI, '--token', 'cmd-token'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const next = async (match: RegExp): Promise<string> => {
    for (let l = await lines.next(); !l.done; l = await lines.next()) if (match.test(String(l.value))) return String(l.value);
    throw new Error(`the process ended before a line matching ${String(match)}`);
  };
  try {
    const described = JSON.parse(String((await lines.next()).value)) as { url: string };
    const gw = await connectAsync(described.url, { username: 'cmd-token', protocolVersion: 5, reconnectPeriod: 0 });
    const pushed: Array<{ topic: string; body: { device: string; data: Record<string, unknown> } }> = [];
    gw.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString()) as { device: string; data: Record<string, unknown> };
      pushed.push({ topic, body });
      if (topic === GATEWAY_TOPIC.RPC) void gw.publishAsync(GATEWAY_TOPIC.RPC, JSON.stringify({ device: body.device, id: body.data.id, data: { ok: 1 } }), { qos: 1 });
    });
    await gw.subscribeAsync([GATEWAY_TOPIC.RPC, GATEWAY_TOPIC.ATTRIBUTES], { qos: 1 });
    await gw.publishAsync(GATEWAY_TOPIC.CONNECT, JSON.stringify({ device: 'Pump' }), { qos: 1 });
    child.stdin.write('rpc Pump setSpeed {"rpm": 900}\n');
    assert.equal(await next(/^RPC \d+ to/), 'RPC 0 to Pump answered: {"ok":1}');
    child.stdin.write('attr Pump {"interval": 5}\n');
    assert.equal(await next(/^shared attributes/), 'shared attributes of Pump set, pushed to 1 session(s)');
    assert.deepEqual(pushed.map((p) => [p.topic, p.body.data]), [
      [GATEWAY_TOPIC.RPC, { id: 0, method: 'setSpeed', params: { rpm: 900 } }],
      [GATEWAY_TOPIC.ATTRIBUTES, { interval: 5 }],
    ]);
    child.stdin.write('stop\n');
    assert.equal(await next(/^stopped/), 'stopped');
    child.stdin.write('start\n');
    assert.match(await next(/^listening/), /^listening on \d+$/);
    child.stdin.write('rpc Pump\n');
    assert.equal(await next(/^error/), 'error: usage: rpc DEVICE METHOD [PARAMS_JSON]');
    await gw.endAsync(true);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});

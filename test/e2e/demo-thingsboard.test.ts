/** `cloudbridge demo --thingsboard HOST:PORT --token T`: the demo fleet's data reaches ThingsBoard, RPCs come back. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../peers/free-port.ts';
import { startThingsBoardDouble } from '../peers/thingsboard/index.ts';
import { waitFor } from './harness.ts';

describe('cloudbridge demo --thingsboard', () => {
  it('forwards the demo devices and their telemetry to ThingsBoard, named in the banner', async () => {
    const tb = await startThingsBoardDouble();
    const dir = mkdtempSync(join(tmpdir(), 'cb-demo-tb-'));
    const port = await freePort();
    const bin = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;
    const env = { ...process.env };
    delete env.CLOUDBRIDGE_ADMIN_TOKEN;
    const proc = spawn(process.execPath, [bin, 'demo', '--port', String(port), '--data', dir, '--devices', '3', '--thingsboard', `127.0.0.1:${tb.port}`, '--token', tb.gateway.token], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      await waitFor(() => /Admin token: /.test(out), `the banner:\n${out}`, 30_000);
      assert.match(out, new RegExp(`ThingsBoard: forwarding every integration to 127\\.0\\.0\\.1:${tb.port}`));
      assert.doesNotMatch(out, new RegExp(tb.gateway.token), 'the gateway token is not printed');
      await tb.waitFor(() => tb.devices().filter((d) => !d.gateway && tb.telemetry(d.name).some((p) => p.key === 'temperature')).length === 3, 30_000, 'three demo devices with temperature at ThingsBoard');
      const device = tb.devices().find((d) => !d.gateway);
      assert.equal(device?.type, 'thermometer');
      const reply = await tb.rpc(device?.name ?? '', 'setInterval', { seconds: 5 }, { timeoutMs: 20_000 });
      assert.deepEqual(reply.data, { success: true });
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
      await tb.dispose();
    }
  });

  it('refuses --thingsboard without --token, naming the option', async () => {
    const bin = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;
    const proc = spawn(process.execPath, [bin, 'demo', '--thingsboard', '127.0.0.1:1883'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise((r) => proc.once('exit', r));
    assert.notEqual(code, 0);
    assert.match(err, /--thingsboard needs --token/);
  });
});

/** The README's first command: the demo shows devices with growing telemetry within seconds. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../peers/free-port.ts';
import { apiClient, waitFor } from './harness.ts';

describe('cloudbridge demo', () => {
  it('lists devices with growing telemetry through the API within 30 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-demo-'));
    const port = await freePort();
    const bin = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;
    const env = { ...process.env };
    delete env.CLOUDBRIDGE_ADMIN_TOKEN;
    const proc = spawn(process.execPath, [bin, 'demo', '--port', String(port), '--data', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      const token = await waitFor(() => /Admin token: (\S+)/.exec(out)?.[1], `the token in the demo output:\n${out}`, 30_000);
      assert.match(out, new RegExp(`http://127\\.0\\.0\\.1:${port}/api/v1`));
      const api = apiClient(`http://127.0.0.1:${port}/api/v1`, token);
      const devices = await waitFor(async () => {
        const page = await api.get<{ total: number; items: Array<{ name: string }> }>('/devices');
        return page.total >= 5 ? page : null;
      }, 'five demo devices', 30_000, 250);
      const name = devices.items[0]?.name ?? '';
      const count = async (): Promise<number> => (await api.get<Record<string, unknown[]>>(`/devices/${name}/telemetry?keys=temperature&limit=1000`)).temperature?.length ?? 0;
      const first = await waitFor(count, 'telemetry', 30_000, 250);
      await waitFor(async () => (await count()) > first, 'growing telemetry', 30_000, 250);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The watchdogs inside a sandbox process (HostServer), with its clock and memory reading under the
 * test's control: whom they blame, and when.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uplinkJavascriptProgram } from '../../src/converters/program.ts';
import { HostServer, STUCK_GRACE_MS } from '../../src/converters/sandbox/host/host-server.ts';
import type { HostReply, HostRequest } from '../../src/converters/sandbox/host/protocol.ts';

type Fatal = Extract<HostReply, { t: 'fatal' }>;
type Call = HostRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

const MB = 1024 * 1024;

function harness() {
  const state = { rss: 200 * MB, now: 1_000_000, fatal: null as Fatal | null };
  const waiting = new Map<number, (r: HostReply) => void>();
  const server = new HostServer({
    send: (r) => { if (r.t === 'ok' || r.t === 'error') waiting.get(r.id)?.(r); },
    die: (report) => { state.fatal = report; },
    rss: () => state.rss,
    now: () => state.now,
  });
  let id = 0;
  const request = (call: Call): Promise<HostReply> => new Promise((resolve) => {
    const my = ++id;
    waiting.set(my, resolve);
    server.handle({ ...call, id: my } as HostRequest);
  });
  const create = async (inst: number, script: string, limits = { timeoutMs: 3000, memoryMb: 16 }): Promise<void> => {
    const r = await request({ t: 'create', inst, kind: 'isolated-vm', program: uplinkJavascriptProgram(script), limits });
    assert.equal(r.t, 'ok', JSON.stringify(r));
  };
  const batch = (inst: number, bytes = new Uint8Array(2)): Promise<HostReply> => request({ t: 'batch', inst, bytes, offsets: [0, 2], metas: [{}] });
  /** The fatal report, read fresh each time (the server sets it from a callback). */
  const fatal = (): Fatal | null => state.fatal;
  return { server, state, fatal, create, batch };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

describe('sandbox process watchdogs', () => {
  test('growing past the busy converters\' allowance blames the converter that is running, not the idle one', async () => {
    const h = harness();
    await h.create(1, 'var e = Date.now() + 1500; while (Date.now() < e) {} return { deviceName: "d" };');
    await h.create(2, 'return { deviceName: "d" };');
    h.server.check();
    const running = h.batch(1);
    await settle();
    h.state.rss += 2 * 16 * MB + 100 * MB;
    h.server.check();
    assert.equal(h.fatal(), null, 'within 2 × memoryMb + 128 MB: nothing happens');
    h.state.rss += 40 * MB;
    h.server.check();
    assert.deepEqual({ reason: h.fatal()?.reason, blamed: h.fatal()?.blamed }, { reason: 'memory', blamed: [1] });
    assert.match(h.fatal()?.message ?? '', /grew by 172 MB/);
    void running; // a dead server answers nothing more: its process is about to be killed
  });

  test('the batches being served count too: a large batch is not taken for a memory bomb', async () => {
    const h = harness();
    await h.create(1, 'var e = Date.now() + 1000; while (Date.now() < e) {} return { deviceName: "d" };');
    h.server.check();
    const running = h.batch(1, new Uint8Array(50 * MB));
    await settle();
    h.state.rss += 2 * 16 * MB + 120 * MB + 2 * 50 * MB;
    h.server.check();
    assert.equal(h.fatal(), null);
    assert.equal((await running).t, 'ok');
  });

  test('the idle size is the base: growth while nothing runs blames nobody', async () => {
    const h = harness();
    await h.create(1, 'return { deviceName: "d" };');
    h.state.rss += 500 * MB;
    h.server.check();
    assert.equal(h.fatal(), null);
    await h.batch(1);
    h.server.check();
    assert.equal(h.fatal(), null);
  });

  test(`a call still running ${STUCK_GRACE_MS} ms after its time limit is stuck`, async () => {
    const h = harness();
    await h.create(1, 'var e = Date.now() + 1500; while (Date.now() < e) {} return { deviceName: "d" };', { timeoutMs: 3000, memoryMb: 16 });
    const running = h.batch(1);
    await settle();
    h.state.now += 3000 + STUCK_GRACE_MS - 1;
    h.server.check();
    assert.equal(h.fatal(), null);
    h.state.now += 2;
    h.server.check();
    assert.deepEqual({ reason: h.fatal()?.reason, blamed: h.fatal()?.blamed }, { reason: 'stuck', blamed: [1] });
    void running;
  });
});

describe('a sandbox process that cannot start', () => {
  test('is not a converter crash: SANDBOX_UNAVAILABLE, retryable, and the next start is tried again', async () => {
    const { HostProcess } = await import('../../src/converters/sandbox/host/host-process.ts');
    const host = new HostProcess('broken', { execPath: '/nonexistent/node' });
    try {
      await assert.rejects(host.request({ t: 'ping' }), (err: Error & { code?: string; retryable?: boolean }) =>
        err.code === 'SANDBOX_UNAVAILABLE' && err.retryable === true && /cannot start a converter sandbox process: .*ENOENT/.test(err.message));
      await assert.rejects(host.request({ t: 'ping' }), /SANDBOX_UNAVAILABLE|cannot start/);
      assert.equal(host.deaths, 0, 'no converter is blamed');
    } finally {
      host.close();
    }
  });
});

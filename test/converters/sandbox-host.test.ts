/**
 * Converters run in sandbox host processes: what a converter does to its process (a memory bomb of
 * any shape, a crash, a hang) fails only the message that did it, the caller's process is never
 * touched, neighbours in the batch convert normally, and other converters keep running meanwhile.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createUplinkRunner } from '../../src/converters/index.ts';
import type { SandboxKind, UplinkConversion, UplinkConverterRunner } from '../../src/converters/index.ts';
import { uplinkJavascriptProgram } from '../../src/converters/program.ts';
import { HostedSession } from '../../src/converters/sandbox/host/hosted-session.ts';
import type { HostProcess } from '../../src/converters/sandbox/host/host-process.ts';
import { SandboxPool } from '../../src/converters/sandbox/host/sandbox-pool.ts';
import { MEMORY_SHAPES } from './helpers.ts';

const enc = new TextEncoder();

function inputs(values: Array<Record<string, unknown>>): Array<{ payload: Uint8Array; metadata: Record<string, string>; receivedAt: number }> {
  return values.map((v) => ({ payload: enc.encode(JSON.stringify(v)), metadata: {}, receivedAt: 1_700_000_000_000 }));
}

function codes(out: UplinkConversion[]): string[] {
  return out.map((c) => (c.ok ? 'ok' : c.error.code));
}


for (const sandbox of ['isolated-vm', 'quickjs'] as SandboxKind[]) {
  describe(`memory limits hold for every allocation shape (${sandbox})`, () => {
    for (const [name, shape] of Object.entries(MEMORY_SHAPES)) {
      test(`${name}: CONVERTER_MEMORY for that message only, the next one converts`, async () => {
        const runner = await createUplinkRunner({
          id: 'c', name: 'bomb', type: 'uplink', language: 'javascript', createdAt: 0, updatedAt: 0,
          script: `var d = decodeToJson(payload); if (d.boom) { ${shape}; } return { deviceName: 'dev-' + d.i };`,
          // A generous time limit: the memory limit must be what stops the script.
          limits: { timeoutMs: 30_000, memoryMb: 64 },
        }, { sandbox, maxConsecutiveFailures: 0 });
        try {
          const out = await runner.convert(inputs([{ i: 0 }, { i: 1, boom: true }, { i: 2 }]));
          assert.deepEqual(codes(out), ['ok', 'CONVERTER_MEMORY', 'ok']);
          const failed = out[1];
          assert.ok(failed && !failed.ok);
          assert.match(failed.error.message, /memory limit of 64 MB/);
          assert.deepEqual(codes(await runner.convert(inputs([{ i: 3 }]))), ['ok']);
        } finally {
          runner.dispose();
        }
      });
    }
  });
}

/** Kills `host`'s process with `signal` once a request has been pending on it for `afterMs` (longer than starting a process and converting a message takes, much shorter than the hang). */
function killWhenBusy(host: HostProcess, signal: NodeJS.Signals, afterMs = 4000): { stop(): void; kills: number } {
  const state = { kills: 0, stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    const since = host.busySince();
    if (since !== null && Date.now() - since > afterMs && host.pid !== undefined) {
      process.kill(host.pid, signal);
      state.kills++;
    }
  }, 50);
  return state;
}

describe('a sandbox process that dies', () => {
  const pool = new SandboxPool(1);
  after(() => pool.close());
  const limits = { timeoutMs: 30_000, memoryMb: 64 };
  const open = (script: string): Promise<HostedSession> => HostedSession.open(pool, 'isolated-vm', uplinkJavascriptProgram(script), limits);

  test('without a word (SIGSEGV): the message converting alone when it dies is CONVERTER_CRASHED, its neighbours convert', async () => {
    const session = await open('var d = decodeToJson(payload); if (d.hang) { for (;;) {} } return { deviceName: "dev-" + d.i };');
    const killers = [killWhenBusy(pool.general[0] as HostProcess, 'SIGSEGV'), killWhenBusy(pool.isolation, 'SIGSEGV')];
    try {
      const payloads = inputs([{ i: 0 }, { i: 1, hang: true }, { i: 2 }]);
      const out = await session.batch(payloads.map((p) => p.payload), payloads.map((p) => p.metadata));
      assert.equal(typeof out[0], 'string');
      assert.equal(typeof out[2], 'string');
      const crashed = out[1];
      assert.ok(typeof crashed === 'object' && crashed.limit === 'crash', JSON.stringify(crashed));
      assert.match(crashed.message, /crashed its sandbox process \(it was killed by signal SIGSEGV/);
    } finally {
      for (const k of killers) k.stop();
      session.dispose();
    }
  });

  test('another converter on the same process: its batch simply runs again and succeeds', async () => {
    const victim = await open('return { deviceName: "dev-" + decodeToJson(payload).i };');
    const bomber = await open('var m = new Map(); for (var i = 0;; i++) m.set(i, { i: i });');
    const deathsBefore = pool.deaths();
    const payloads = inputs(Array.from({ length: 200 }, (_, i) => ({ i })));
    try {
      const bombing = bomber.batch(payloads.slice(0, 1).map((p) => p.payload), [{}]);
      const results = await Promise.all(Array.from({ length: 20 }, () => victim.batch(payloads.map((p) => p.payload), payloads.map((p) => p.metadata))));
      for (const out of results) assert.ok(out.every((o) => typeof o === 'string' && o.startsWith('{')), 'every victim message converted');
      const [bombed] = await bombing;
      assert.ok(typeof bombed === 'object' && bombed.limit === 'memory', JSON.stringify(bombed));
      assert.ok(pool.deaths() > deathsBefore, 'the bomb took its process down');
    } finally {
      victim.dispose();
      bomber.dispose();
    }
  });
});

describe('converters run concurrently', () => {
  test('a converter looping to its time limit does not hold up another one, even in the same process', async () => {
    const pool = new SandboxPool(1);
    try {
      const slow = await HostedSession.open(pool, 'isolated-vm', uplinkJavascriptProgram('for (;;) {}'), { timeoutMs: 5000, memoryMb: 64 });
      const fast = await HostedSession.open(pool, 'isolated-vm', uplinkJavascriptProgram('return { deviceName: "d" };'), { timeoutMs: 1000, memoryMb: 64 });
      const order: string[] = [];
      const looping = slow.batch([enc.encode('{}')], [{}]).then((out) => { order.push(`slow:${JSON.stringify(out[0])}`); });
      for (let i = 0; i < 20; i++) await fast.batch([enc.encode('{}')], [{}]);
      order.push('fast done');
      await looping;
      assert.equal(order[0], 'fast done');
      assert.match(order[1] ?? '', /"limit":"timeout"/);
    } finally {
      pool.close();
    }
  });
});

describe('a runner whose whole batch breaks', () => {
  test('the runner still answers one result per message', async () => {
    const runner: UplinkConverterRunner = await createUplinkRunner({
      id: 'c', name: 'all-bad', type: 'uplink', language: 'javascript', createdAt: 0, updatedAt: 0,
      script: 'new Array(1e8).fill(0);', limits: { timeoutMs: 5000, memoryMb: 16 },
    }, { maxConsecutiveFailures: 0 });
    try {
      assert.deepEqual(codes(await runner.convert(inputs([{}, {}, {}]))), ['CONVERTER_MEMORY', 'CONVERTER_MEMORY', 'CONVERTER_MEMORY']);
    } finally {
      runner.dispose();
    }
  });
});

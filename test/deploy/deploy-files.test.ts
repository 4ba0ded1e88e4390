/**
 * deploy/: the systemd unit and the container image definition, checked by running what they run.
 * The unit's ExecStart, EnvironmentFile, WorkingDirectory, ExecReload and stop signal drive a real
 * Cloudbridge (paths moved into a temp dir); the Containerfile's HEALTHCHECK command is run against a
 * started app and a stopped one. Docker is not available on the test machines, so the image itself is
 * not built here (docs/deployment.md, "Testing").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../src/app/config-file.ts';
import { apiClient, startTestApp, TEST_TOKEN } from '../e2e/harness.ts';
import { freePort } from '../peers/free-port.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const UNIT = readFileSync(join(ROOT, 'deploy', 'cloudbridge.service'), 'utf8');
const CONTAINERFILE = readFileSync(join(ROOT, 'deploy', 'Containerfile'), 'utf8');

/** The unit's `[section]` → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(current && eq > 0, `unit line outside a section or without "=": ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...current.get(key) ?? [], line.slice(eq + 1)]);
  }
  return sections;
}

/** The Containerfile's instructions (continuation lines joined), keyword upper-cased. */
function parseContainerfile(text: string): Array<{ op: string; args: string }> {
  const joined = text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n').replace(/\\\n/g, ' ');
  return joined.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [op = '', ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });
}

const service = parseUnit(UNIT).get('Service');
const one = (key: string): string => {
  const v = service?.get(key);
  assert.ok(v?.length === 1 && v[0], `[Service] ${key}= is set once`);
  return v[0];
};

describe('deploy/cloudbridge.service', () => {
  let tmp: string;
  before(() => { tmp = mkdtempSync(join(tmpdir(), 'cb-unit-')); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** The unit with its installation paths moved into the temp dir and ExecStart on this clone's binary. */
  function localUnit(): string {
    return UNIT
      .replaceAll('/opt/cloudbridge/node_modules/.bin/cloudbridge', join(ROOT, 'bin', 'cloudbridge.js'))
      .replaceAll('/etc/cloudbridge/', `${tmp}/etc/`)
      .replaceAll('/var/lib/cloudbridge', `${tmp}/state`);
  }

  it('passes systemd-analyze verify', (t) => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      t.skip(`systemd-analyze is not installed here (${probe.error.message}); the run test below still covers the unit's commands`);
      return;
    }
    const file = join(tmp, 'cloudbridge.service');
    writeFileSync(file, localUnit());
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stderr.trim(), '', 'no warnings');
  });

  it('runs as a dedicated user, restarts on failure, stops only the main process and allows the drain', () => {
    assert.equal(one('User'), 'cloudbridge');
    assert.equal(one('Restart'), 'on-failure');
    assert.equal(one('KillMode'), 'mixed');
    assert.ok(Number(one('TimeoutStopSec')) >= 10, 'TimeoutStopSec covers the 5 s drain and the shutdown');
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('ProtectSystem'), 'strict');
    assert.equal(service?.get('MemoryDenyWriteExecute'), undefined, 'the V8 JIT needs writable executable memory');
  });

  it("its ExecStart runs Cloudbridge with the EnvironmentFile's secrets, ExecReload reloads the config, SIGTERM stops it cleanly", async () => {
    const local = parseUnit(localUnit()).get('Service');
    const get = (key: string): string => local?.get(key)?.[0] ?? assert.fail(`no ${key}`);
    const workDir = get('WorkingDirectory');
    mkdirSync(workDir, { recursive: true });
    mkdirSync(join(tmp, 'etc'), { recursive: true });
    writeFileSync(get('EnvironmentFile'), `CLOUDBRIDGE_ADMIN_TOKEN=${TEST_TOKEN}\nCLOUDBRIDGE_MASTER_KEY=unit-test-master-key\n`, { mode: 0o600 });
    const env = Object.fromEntries(readFileSync(get('EnvironmentFile'), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    for (const e of local?.get('Environment') ?? []) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);

    const [exe = '', ...args] = get('ExecStart').split(/\s+/);
    const configFile = args[args.indexOf('--config') + 1] ?? assert.fail('ExecStart has no --config');
    const port = await freePort();
    const converter = (name: string): string => `  - name: ${name}\n    type: uplink\n    script: "return { deviceName: 'x', telemetry: { v: 1 } };"\n`;
    writeFileSync(configFile, `server: { port: ${port}, host: 127.0.0.1 }\nconverters:\n${converter('first')}`);

    const proc = spawn(process.execPath, [exe, ...args], { cwd: workDir, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    proc.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      const api = apiClient(`http://127.0.0.1:${port}/api/v1`);
      const names = async (): Promise<string[]> => (await api.get<Array<{ name: string }>>('/converters')).map((c) => c.name);
      await waitFor(async () => proc.exitCode === null ? (await names()).includes('first') : assert.fail(`exited:\n${output}`), 'started with the env file token', 60_000, 100);

      writeFileSync(configFile, `server: { port: ${port}, host: 127.0.0.1 }\nconverters:\n${converter('first')}${converter('second')}`);
      const [killCmd = '', ...killArgs] = get('ExecReload').replace('$MAINPID', String(proc.pid)).split(/\s+/);
      const reload = spawnSync(killCmd, killArgs, { encoding: 'utf8' });
      assert.equal(reload.status, 0, reload.stderr);
      await waitFor(async () => (await names()).includes('second'), 'the reloaded config applied', 60_000, 100);
    } finally {
      proc.kill('SIGTERM');
      assert.equal(await exited, 0, output);
    }
    assert.match(output, /SIGTERM received: stopping intake, draining/);
  });
});

describe('deploy/Containerfile', () => {
  const instructions = parseContainerfile(CONTAINERFILE);
  const stages = instructions.filter((i) => i.op === 'FROM');
  const runtime = instructions.slice(instructions.lastIndexOf(stages.at(-1) ?? assert.fail('no FROM')));
  const last = (op: string): string => runtime.filter((i) => i.op === op).at(-1)?.args ?? assert.fail(`no ${op} in the runtime stage`);

  it('builds in a separate stage and runs on node:24-slim as a non-root user, with the data in a volume', () => {
    assert.ok(stages.length >= 2, 'multi-stage');
    assert.equal(last('FROM'), 'node:24-slim');
    const user = last('USER');
    assert.doesNotMatch(user, /^(root|0)(:|$)/);
    assert.match(CONTAINERFILE, new RegExp(`useradd [^\\n]*${user}`), `the user ${user} is created`);
    assert.ok(runtime.findIndex((i) => i.op === 'USER') < runtime.findIndex((i) => i.op === 'ENTRYPOINT'), 'USER before ENTRYPOINT');
    assert.deepEqual(JSON.parse(last('VOLUME')), [last('WORKDIR')], 'the working directory (./data/ by default) is the volume');
    assert.equal(Number(last('EXPOSE')), parseConfigText('{}', {}).server.port, 'EXPOSE is the default server.port');
    const cmd = JSON.parse(last('CMD')) as string[];
    assert.equal(parseConfigText('{}', {}).server.host, '127.0.0.1', 'the default listens on loopback only');
    assert.deepEqual(cmd.slice(cmd.indexOf('--host'), cmd.indexOf('--host') + 2), ['--host', '0.0.0.0'], 'the image listens on every interface, or -p could not reach it');
  });

  it('its HEALTHCHECK command succeeds against a running Cloudbridge and fails once it is stopped', async () => {
    const healthcheck = /CMD\s+(\[.*\])\s*$/.exec(last('HEALTHCHECK'))?.[1] ?? assert.fail('HEALTHCHECK CMD in exec form');
    const [exe, ...args] = JSON.parse(healthcheck) as string[];
    assert.equal(exe, 'node');
    const app = await startTestApp();
    const port = new URL(app.url).port;
    // Asynchronously: the app answering it runs in this process.
    const check = (): Promise<number | null> => new Promise((resolve) => {
      spawn(process.execPath, args.map((a) => a.replace(':8080/', `:${port}/`)), { stdio: 'ignore' }).once('exit', (code) => resolve(code));
    });
    try {
      assert.equal(await check(), 0);
    } finally {
      await app.close();
    }
    assert.equal(await check(), 1);
  });
});

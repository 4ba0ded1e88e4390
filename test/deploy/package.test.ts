/**
 * The npm package, installed as a user installs it: `npm pack` (its prepack builds the web UI and the
 * compiled dist/), the tarball installed into a temp prefix, and its `cloudbridge` binary run from a
 * directory outside the clone with a config file there. Before the package shipped dist/, the binary
 * imported src/*.ts from under node_modules, which Node refuses to type-strip.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { freePort } from '../peers/free-port.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const TOKEN = 'cb_package_test_admin_token_0123';
/** npm, with this Node first on PATH (npm runs the prepack scripts with the `node` it finds). */
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };

const DECODER = `var data = decodeToJson(payload);
return { deviceName: metadata.topic.split('/')[1], deviceType: 'probe', telemetry: { temperature: data.t } };
`;

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env: ENV, encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

describe('the npm package', () => {
  let tmp: string;
  let bin: string;
  let userDir: string;
  let broker: MosquittoBroker;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cb-package-'));
    npm(['pack', '--pack-destination', tmp], ROOT);
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, `npm pack wrote no tarball into ${tmp}`);
    const prefix = join(tmp, 'prefix');
    mkdirSync(prefix);
    npm(['install', '--prefix', prefix, '--prefer-offline', '--omit=dev', join(tmp, tarball)], tmp);
    bin = join(prefix, 'node_modules', '.bin', 'cloudbridge');
    userDir = join(tmp, 'site');
    mkdirSync(userDir);
    broker = await startMosquitto();
  });

  after(async () => {
    await broker?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  function run(...args: string[]): SpawnSyncReturns<string> {
    return spawnSync(bin, args, { cwd: userDir, env: ENV, encoding: 'utf8', timeout: 120_000 });
  }

  it('ships the compiled code, the migrations and the built web UI, not the sources or the tests', () => {
    const pkg = join(tmp, 'prefix', 'node_modules', 'cloudbridge');
    assert.ok(existsSync(join(pkg, 'dist', 'cli', 'main.js')), 'dist/cli/main.js');
    assert.ok(readdirSync(join(pkg, 'dist', 'store', 'migrations', 'sqlite')).some((f) => f.endsWith('.sql')), 'SQLite migrations');
    assert.ok(readdirSync(join(pkg, 'dist', 'store', 'migrations', 'postgres')).some((f) => f.endsWith('.sql')), 'PostgreSQL migrations');
    assert.ok(existsSync(join(pkg, 'web', 'dist', 'index.html')), 'web/dist/index.html');
    const referenced = [...readFileSync(join(pkg, 'web', 'dist', 'index.html'), 'utf8').matchAll(/"\/ui\/([\w./-]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(referenced.some((f) => /^app-\w+\.js$/.test(f)), `index.html names the entry: ${referenced.join(', ')}`);
    for (const file of referenced) assert.ok(existsSync(join(pkg, 'web', 'dist', file)), `web/dist/${file}, named by index.html`);
    const chunks = readdirSync(join(pkg, 'web', 'dist', 'chunks'));
    for (const page of ['ConverterEditor', 'DevicePage', 'IntegrationEditor', 'ForwarderEditor']) {
      assert.ok(chunks.some((f) => f.startsWith(`${page}-`) && f.endsWith('.js')), `the ${page} chunk in web/dist/chunks: ${chunks.join(', ')}`);
    }
    const shipped = readdirSync(join(pkg, 'web', 'dist'), { recursive: true, encoding: 'utf8' });
    assert.deepEqual(shipped.filter((f) => f.endsWith('.map')), [], 'no source maps');
    assert.equal(existsSync(join(pkg, 'src')), false, 'no src/');
    assert.equal(existsSync(join(pkg, 'test')), false, 'no test/');
  });

  it('runs from a directory outside the clone: version, help, config lint and converter test', () => {
    const version = run('--version');
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, new RegExp(`^cloudbridge ${JSON.parse(readFileSync(join(tmp, 'prefix', 'node_modules', 'cloudbridge', 'package.json'), 'utf8')).version} \\(Node 24\\.`));
    const help = run('--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /cloudbridge start \[--config FILE\]/);

    writeFileSync(join(userDir, 'decoder.js'), DECODER);
    const converted = run('converter', 'test', '--file', 'decoder.js', '--payload', '{"t": 21.5}', '--metadata', '{"topic": "sensors/probe-1"}', '--json');
    assert.equal(converted.status, 0, converted.stderr);
    assert.deepEqual((JSON.parse(converted.stdout) as { output: unknown }).output, { deviceName: 'probe-1', deviceType: 'probe', telemetry: { temperature: 21.5 } });

    writeFileSync(join(userDir, 'bad.yaml'), 'server:\n  port: 99999\n');
    const bad = run('config', 'lint', 'bad.yaml');
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout + bad.stderr, /server\.port/);
  });

  it('starts with a config file in that directory: /health answers, the SQLite file is created there, MQTT messages are stored, the UI is served', async () => {
    const port = await freePort();
    const indented = DECODER.trim().split('\n').map((l) => `      ${l}`).join('\n');
    writeFileSync(join(userDir, 'cloudbridge.yaml'), `server: { port: ${port}, host: 127.0.0.1 }
converters:
  - name: decoder
    type: uplink
    script: |
${indented}
integrations:
  - name: plant
    type: mqtt
    uplinkConverter: decoder
    allowCreateDevices: true
    config: { host: 127.0.0.1, port: ${broker.port}, clientId: cb-package, topicFilters: [{ filter: "sensors/+", qos: 1 }] }
`);
    const lint = run('config', 'lint', 'cloudbridge.yaml');
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);

    const proc = spawn(bin, ['start', '--config', 'cloudbridge.yaml'], {
      cwd: userDir, env: { ...ENV, CLOUDBRIDGE_ADMIN_TOKEN: TOKEN, CLOUDBRIDGE_MASTER_KEY: 'package-test-master-key' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    proc.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    const get = async (path: string): Promise<Response> => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    try {
      await waitFor(async () => proc.exitCode === null ? (await fetch(`${base}/health`)).ok : Promise.reject(new Error(`exited ${proc.exitCode}:\n${output}`)), 'cloudbridge /health', 60_000, 100);
      assert.ok(existsSync(join(userDir, 'data', 'cloudbridge.db')), `the SQLite file is in ${userDir}/data:\n${output}`);

      await waitFor(async () => ((await (await get('/api/v1/integrations/plant/status')).json()) as { state: string }).state === 'RUNNING', 'integration RUNNING', 60_000, 100);
      const client = await mqtt.connectAsync(broker.url, { clientId: 'package-test-publisher' });
      await client.publishAsync('sensors/probe-7', JSON.stringify({ t: 23.25 }), { qos: 1 });
      await client.endAsync();
      const latest = await waitFor(async () => {
        const res = await get('/api/v1/devices/probe-7/telemetry/latest');
        return res.ok ? await res.json() as Record<string, { value: unknown }> : null;
      }, 'probe-7 stored', 60_000, 100);
      assert.equal(latest.temperature?.value, 23.25, JSON.stringify(latest));

      const ui = await fetch(`${base}/ui/`);
      assert.equal(ui.status, 200);
      const entry = /<script type="module" src="(\/ui\/app-\w+\.js)">/.exec(await ui.text())?.[1];
      assert.ok(entry, 'index.html names the entry script');
      const entryRes = await fetch(`${base}${entry}`);
      assert.equal(entryRes.status, 200, entry);
      const editorChunk = /\.\/(chunks\/ConverterEditor-\w+\.js)/.exec(await entryRes.text())?.[1];
      assert.ok(editorChunk, 'the entry imports the converter editor chunk on demand');
      const chunk = await fetch(`${base}/ui/${editorChunk}`);
      assert.equal(chunk.status, 200, editorChunk);
      assert.match(String(chunk.headers.get('content-type')), /^text\/javascript/);
    } finally {
      proc.kill('SIGTERM');
      assert.equal(await exited, 0, output);
    }
    assert.equal(readFileSync(join(userDir, 'data', 'cloudbridge.db')).subarray(0, 15).toString(), 'SQLite format 3');
  });
});

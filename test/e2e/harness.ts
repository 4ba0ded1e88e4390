/**
 * End-to-end harness: Cloudbridge in-process (temp data dir, free port, fixed token and master key,
 * captured logs) or as a child process (`cloudbridge start --config`), plus an API client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startApp, type App, type AppOptions } from '../../src/app/app.ts';
import { parseConfigText } from '../../src/app/config-file.ts';
import { freePort } from '../peers/free-port.ts';
import { waitFor as waitUntil } from '../support/wait.ts';

export const TEST_TOKEN = 'cb_test_admin_token_0123456789';
export const TEST_MASTER_KEY = 'test-master-key-for-e2e';

export interface ApiClient {
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: unknown; text: string }>;
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
}

export function apiClient(baseUrl: string, token: string = TEST_TOKEN): ApiClient {
  const call: ApiClient['call'] = async (method, path, body, tok = token) => {
    const headers: Record<string, string> = {};
    if (tok) headers.authorization = `Bearer ${tok}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    return { status: res.status, body: parsed, text };
  };
  const ok = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await call(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status}: ${r.text}`);
    return r.body as T;
  };
  return { call, get: (p) => ok('GET', p), post: (p, b) => ok('POST', p, b ?? {}) };
}

export interface TestApp {
  app: App;
  dir: string;
  url: string;
  api: ApiClient;
  logs: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  yaml?: string;
  dir?: string;
  /** The SQLite database file (default `cloudbridge.db` in `dir`); other `store.sqlite` settings come from the YAML. */
  dbPath?: string;
  env?: NodeJS.ProcessEnv;
  pipelineLimits?: AppOptions['pipelineLimits'];
  /** More app options (e.g. shorter store probe and file-check periods). */
  app?: Pick<AppOptions, 'storeProbeAfterQuietMs' | 'storeFilesCheckMs' | 'misconfiguredRetryMs' | 'housekeepingMs'>;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cb-e2e-'));
  const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY, ...opts.env };
  const config = parseConfigText(opts.yaml ?? '{}', env);
  config.store.sqlite = { ...config.store.sqlite, path: opts.dbPath ?? join(dir, 'cloudbridge.db') };
  config.server = { port: 0, host: '127.0.0.1' };
  config.logging.level = 'info';
  const logs: string[] = [];
  const app = await startApp({ config, env, logWrite: (l) => logs.push(l), ...(opts.pipelineLimits ? { pipelineLimits: opts.pipelineLimits } : {}), ...opts.app });
  return {
    app, dir, url: app.url, api: apiClient(`${app.url}/api/v1`), logs,
    async close() {
      await app.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ChildApp {
  url: string;
  api: ApiClient;
  proc: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of liveChildren) c.kill('SIGKILL');
});

/** Kills every child Cloudbridge still running (for afterEach, so a failed test leaves nothing behind). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...liveChildren].map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  })));
  liveChildren.clear();
}

/** Runs `cloudbridge start --config` in a child process and waits until /health answers (logging: config.logging, else level warn). */
export async function spawnCloudbridge(dir: string, config: Record<string, unknown>, extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildApp> {
  const port = await freePort();
  const file = join(dir, 'cloudbridge.yaml');
  // config.store (e.g. PostgreSQL shared by several instances) wins; else SQLite in `dir`.
  writeFileSync(file, stringify({ ...config, store: config.store ?? { sqlite: { path: join(dir, 'cloudbridge.db') } }, server: { port, host: '127.0.0.1' }, logging: config.logging ?? { level: 'warn' } }));
  const bin = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;
  const proc = spawn(process.execPath, [bin, 'start', '--config', file], {
    env: { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(proc);
  proc.once('exit', () => liveChildren.delete(proc));
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  // Generous: on a loaded 2-vCPU machine a start on PostgreSQL beside other instances took over 30 s.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`cloudbridge exited with ${proc.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      // A child left running would keep the test file's process alive after the failure.
      proc.kill('SIGKILL');
      throw new Error(`cloudbridge did not become healthy within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, proc, api: apiClient(`${url}/api/v1`), output: () => out,
    kill: (signal = 'SIGKILL') => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(signal);
    }),
  };
}

/** test/support/wait.ts's waitFor with an application's patience: 60 s, polling every 100 ms. */
export function waitFor<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 60_000, everyMs = 100): Promise<NonNullable<T>> {
  return waitUntil(fn, what, timeoutMs, everyMs);
}

/**
 * Starts a real Mosquitto (/usr/sbin/mosquitto, 2.0.x) on a free loopback port with a generated
 * config in a temp dir. Options cover persistence, password file, ACL and TLS (CA, server cert,
 * client certificates with use_identity_as_username) for the MQTT-based connector tests.
 *
 *   const broker = await startMosquitto();
 *   after(() => broker.dispose());
 *
 * Every broker started here is killed (and its dir removed) when the test process exits, also
 * after a failed test or on SIGTERM/SIGINT.
 *
 * Message-loss gotcha (docs/testing.md, "AWS IoT Core and MQTT"): Mosquitto's default max_queued_messages (1000)
 * silently drops messages for a slow subscriber; this launcher defaults to unlimited (0).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'mqtt';
import { freePort } from './free-port.ts';

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = process.env.MOSQUITTO_PASSWD_BIN ?? '/usr/bin/mosquitto_passwd';
const LOG_LIMIT = 256 * 1024;

export interface MosquittoTlsOptions {
  /** PEM texts. */
  ca: string;
  cert: string;
  key: string;
  /** Demand a client certificate signed by `ca` (mutual TLS). */
  requireCertificate?: boolean;
  /** The client certificate CN becomes the user name (for ACL `%u` patterns). */
  useIdentityAsUsername?: boolean;
}

export interface MosquittoOptions {
  /** Keep sessions and queued messages across restarts in the broker dir (default true). */
  persistence?: boolean;
  /** Seconds between persistence saves; default: only on shutdown (SIGTERM), so kill() loses state. */
  autosaveIntervalSeconds?: number;
  /** Default true (false when `users` are given). */
  allowAnonymous?: boolean;
  /** user → password, written to a password file. */
  users?: Record<string, string>;
  /** ACL file content (mosquitto acl_file syntax). */
  acl?: string;
  tls?: MosquittoTlsOptions;
  /** Default 100. */
  maxInflightMessages?: number;
  /** Default 0 = unlimited (see the message-loss gotcha). */
  maxQueuedMessages?: number;
  /** Extra config lines appended as they are. */
  extraConfig?: string[];
  /** Default: a free loopback port. */
  port?: number;
}

export interface MosquittoBroker {
  readonly host: string;
  readonly port: number;
  /** mqtt://127.0.0.1:<port> or mqtts://... */
  readonly url: string;
  /** The temp dir holding config, password/ACL/TLS files and the persistence DB. */
  readonly dir: string;
  readonly tls: boolean;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** What the broker logged (last 256 KiB). */
  logs(): string;
  /** SIGTERM: the broker saves its persistence DB and exits. */
  stop(): Promise<void>;
  /** SIGKILL: nothing is saved since the last autosave. */
  kill(): Promise<void>;
  /** Starts again on the same port with the same dir (stops first if running). */
  restart(): Promise<void>;
  /** Stops the broker and removes its dir. */
  dispose(): Promise<void>;
}

const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const child of live) {
      try { child.kill('SIGKILL'); } catch { /* already gone */ }
    }
    live.clear();
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
    liveDirs.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

function configText(o: MosquittoOptions, dir: string, port: number): string {
  const anonymous = o.allowAnonymous ?? o.users === undefined;
  const lines = [
    'per_listener_settings false',
    `allow_anonymous ${anonymous}`,
    'user root',
    `persistence ${o.persistence ?? true}`,
    `persistence_location ${dir}/`,
    'log_dest stderr',
    'log_type error', 'log_type warning', 'log_type notice', 'log_type information',
    `max_inflight_messages ${o.maxInflightMessages ?? 100}`,
    `max_queued_messages ${o.maxQueuedMessages ?? 0}`,
  ];
  if (o.autosaveIntervalSeconds !== undefined) lines.push(`autosave_interval ${o.autosaveIntervalSeconds}`);
  if (o.users) lines.push(`password_file ${join(dir, 'passwd')}`);
  if (o.acl !== undefined) lines.push(`acl_file ${join(dir, 'acl.conf')}`);
  lines.push(`listener ${port} 127.0.0.1`);
  if (o.tls) {
    lines.push(`cafile ${join(dir, 'ca.crt')}`, `certfile ${join(dir, 'server.crt')}`, `keyfile ${join(dir, 'server.key')}`);
    lines.push(`require_certificate ${o.tls.requireCertificate ?? false}`);
    if (o.tls.useIdentityAsUsername) lines.push('use_identity_as_username true');
  }
  lines.push(...(o.extraConfig ?? []));
  return `${lines.join('\n')}\n`;
}

async function writeFiles(o: MosquittoOptions, dir: string, port: number): Promise<string> {
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, configText(o, dir, port), { mode: 0o600 });
  if (o.users) {
    const file = join(dir, 'passwd');
    await writeFile(file, '', { mode: 0o600 });
    for (const [user, password] of Object.entries(o.users)) {
      await promisify(execFile)(MOSQUITTO_PASSWD, ['-b', file, user, password]);
    }
  }
  if (o.acl !== undefined) await writeFile(join(dir, 'acl.conf'), o.acl, { mode: 0o600 });
  if (o.tls) {
    await writeFile(join(dir, 'ca.crt'), o.tls.ca, { mode: 0o600 });
    await writeFile(join(dir, 'server.crt'), o.tls.cert, { mode: 0o600 });
    await writeFile(join(dir, 'server.key'), o.tls.key, { mode: 0o600 });
  }
  return conf;
}

/** One MQTT connect attempt: true when something MQTT/TLS answered, false when nothing listens yet. */
function probe(port: number, tls: MosquittoTlsOptions | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const client = connect({
      host: '127.0.0.1', port, protocol: tls ? 'mqtts' : 'mqtt', ca: tls?.ca, rejectUnauthorized: true,
      clientId: `probe-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 0, connectTimeout: 2000,
    });
    let done = false;
    const finish = (up: boolean): void => {
      if (done) return;
      done = true;
      client.end(true);
      resolve(up);
    };
    client.on('connect', () => finish(true));
    client.on('error', (err: Error & { code?: unknown }) => finish(err.code !== 'ECONNREFUSED' && err.message !== 'connack timeout'));
    client.on('close', () => finish(false));
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  installExitHook();
  const dir = await mkdtemp(join(tmpdir(), 'cb-mosquitto-'));
  liveDirs.add(dir);
  const port = options.port ?? await freePort();
  const conf = await writeFiles(options, dir, port);
  let child: ChildProcess | null = null;
  let log = '';
  let exited: Promise<void> = Promise.resolve();

  const spawnBroker = async (): Promise<void> => {
    const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    live.add(proc);
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      log += chunk;
      if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
    });
    let gone = false;
    exited = new Promise((resolve) => proc.once('exit', () => {
      gone = true;
      live.delete(proc);
      if (child === proc) child = null;
      resolve();
    }));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (gone) throw new Error(`mosquitto exited during start-up:\n${log}`);
      if (await probe(port, options.tls)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    proc.kill('SIGKILL');
    throw new Error(`mosquitto did not accept connections on port ${port} within 10 s:\n${log}`);
  };

  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc) return;
    proc.kill(signal);
    await exited;
  };

  try {
    await spawnBroker();
  } catch (err) {
    await signalAndWait('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw err;
  }

  const broker: MosquittoBroker = {
    host: '127.0.0.1',
    port,
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    dir,
    tls: options.tls !== undefined,
    get pid() { return child?.pid; },
    get running() { return child !== null; },
    logs: () => log,
    stop: () => signalAndWait('SIGTERM'),
    kill: () => signalAndWait('SIGKILL'),
    restart: async () => {
      await signalAndWait('SIGTERM');
      await spawnBroker();
    },
    dispose: async () => {
      await signalAndWait('SIGTERM');
      await rm(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };
  return broker;
}

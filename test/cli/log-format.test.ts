/** Log lines: pretty (one readable line per record) or JSON, chosen by --log-format or logging.format; secrets redacted in both. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, defaultLogFormat, SecretScrubber } from '../../src/app/logger.ts';
import { BIN } from './run-cli.ts';

const SECRET = 'sup3r-secret-value';

/** Starts `cloudbridge start` (stdout is a pipe, not a terminal), returns stdout once it logged "cloudbridge started", then stops it. */
function startedOutput(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: `cb_${SECRET}` } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('cloudbridge started')) proc.kill('SIGTERM');
    });
    proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    proc.once('error', reject);
    proc.once('exit', () => resolve({ stdout, stderr }));
  });
}

describe('log format', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'cb-cli-logs-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pretty: time, level, message, key=values; a registered secret stays "***"', () => {
    const lines: string[] = [];
    const scrubber = new SecretScrubber();
    scrubber.add(SECRET);
    const log = createLogger({ level: 'info', scrubber, format: 'pretty', write: (l) => lines.push(l) });
    log.warn({ integration: 'north wing', attempt: 2, err: `login refused for ${SECRET}`, password: 'also-hidden' }, 'connection lost');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN {2}connection lost integration="north wing" attempt=2 err="login refused for \*\*\*" password=\*\*\*\n$/);
  });

  it('the default: pretty on a terminal, JSON otherwise', () => {
    assert.equal(defaultLogFormat({ isTTY: true }), 'pretty');
    assert.equal(defaultLogFormat({ isTTY: false }), 'json');
    assert.equal(defaultLogFormat({}), 'json');
  });

  it('start: JSON when stdout is not a terminal, pretty with --log-format pretty or logging.format', async () => {
    const file = (name: string, extra: string): string => {
      const path = join(dir, name);
      writeFileSync(path, `store: { sqlite: { path: ${join(dir, `${name}.db`)} } }\nserver: { port: 0, host: 127.0.0.1 }\n${extra}`);
      return path;
    };
    const json = await startedOutput(['--config', file('json.yaml', '')]);
    const first = JSON.parse(json.stdout.split('\n')[0] ?? '') as { msg: string; level: number };
    assert.equal(first.msg, 'cloudbridge started');
    const flag = await startedOutput(['--config', file('flag.yaml', ''), '--log-format', 'pretty']);
    assert.match(flag.stdout, /^\S+Z INFO {2}cloudbridge started url=http:\/\/127\.0\.0\.1:\d+ store=\S+flag\.yaml\.db integrations=0\n/);
    const configured = await startedOutput(['--config', file('configured.yaml', 'logging: { format: pretty }\n')]);
    assert.match(configured.stdout, /^\S+Z INFO {2}cloudbridge started /);
    for (const r of [json, flag, configured]) assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET));
  });
});

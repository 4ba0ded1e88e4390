/**
 * scripts/cb runs the CLI in the caller's directory: relative paths (--config, the default ./data/)
 * are the caller's, not the clone's. The script is run from a copy of the clone's layout whose
 * set-up steps have nothing to do (node_modules up to date, a UI build step that does nothing), so
 * the test never installs anything; bin/ links to the real CLI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function bash(script: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // The Node running the tests (24) first on PATH, so the script installs no Node either.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  return new Promise((resolve) => {
    execFile('bash', [script, ...args], { cwd, env, timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

const CONFIG = `converters:\n  - { name: d, type: uplink, script: "return {deviceName: 'x'};" }\n`;

describe('scripts/cb from another directory', () => {
  let dir: string;
  let clone: string;
  let work: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cb-scripts-'));
    clone = join(dir, 'clone');
    work = join(dir, 'work');
    mkdirSync(join(clone, 'scripts'), { recursive: true });
    mkdirSync(join(clone, 'node_modules'));
    mkdirSync(work);
    copyFileSync(join(REPO, 'scripts', 'cb'), join(clone, 'scripts', 'cb'));
    writeFileSync(join(clone, 'scripts', 'build-ui.ts'), '// the UI build step has nothing to do here\n');
    symlinkSync(join(REPO, 'bin'), join(clone, 'bin'));
    writeFileSync(join(clone, 'package-lock.json'), '{}\n');
    writeFileSync(join(clone, 'node_modules', '.package-lock.json'), '{}\n');
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(join(clone, 'package-lock.json'), past, past);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('config lint FILE and the default ./data/ resolve against the caller\'s directory', async () => {
    writeFileSync(join(work, 'cfg.yaml'), CONFIG);
    const lint = await bash(join(clone, 'scripts', 'cb'), ['config', 'lint', 'cfg.yaml'], work);
    assert.equal(lint.code, 0, `${lint.stdout}${lint.stderr}`);
    assert.match(lint.stdout, /cfg\.yaml: OK \(1 converters, 0 integrations\)/);
    const migrate = await bash(join(clone, 'scripts', 'cb'), ['migrate'], work);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.ok(existsSync(join(work, 'data', 'cloudbridge.db')), 'the database is in the caller\'s ./data/');
    assert.ok(!existsSync(join(clone, 'data')), 'nothing is written into the clone');
    assert.doesNotMatch(`${lint.stderr}${migrate.stderr}`, /npm ci/);
  });

  // The real script, where that is safe: in a clone whose node_modules is installed and current
  // (CI); elsewhere (a worktree sharing another clone's node_modules) it would reinstall them.
  const modules = join(REPO, 'node_modules');
  const stale = !existsSync(join(modules, '.package-lock.json')) || statSync(join(REPO, 'package-lock.json')).mtimeMs > statSync(join(modules, '.package-lock.json')).mtimeMs;
  const skip = !existsSync(modules) ? 'no node_modules' : lstatSync(modules).isSymbolicLink() ? 'node_modules is shared from another clone' : stale ? 'node_modules is older than package-lock.json' : false;
  it('the repository\'s scripts/cb --version from a temp directory', { skip }, async () => {
    const r = await bash(join(REPO, 'scripts', 'cb'), ['--version'], work);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^cloudbridge \d+\.\d+\.\d+ \(Node 24\./);
  });
});

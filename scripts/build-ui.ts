/**
 * Builds the web UI: web/src (TypeScript, React) bundled by esbuild into web/dist, with index.html
 * and style.css copied beside the bundle. `node scripts/build-ui.ts` builds; `--if-stale` builds
 * only when web/dist is missing or older than web/src. ADR 019.
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('../web/', import.meta.url));
export const UI_SRC = join(WEB, 'src');
export const UI_DIST = join(WEB, 'dist');
const STAMP = join(UI_DIST, 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when web/dist is missing or a file in web/src changed after the last build. */
export function uiIsStale(): boolean {
  return !existsSync(STAMP) || newestMtime(UI_SRC) > statSync(STAMP).mtimeMs;
}

/**
 * Builds into a temp folder beside web/dist and moves the files in (index.html, the staleness stamp,
 * last), so a server or a concurrent build never serves a half-written file.
 */
export async function buildUi(): Promise<void> {
  mkdirSync(UI_DIST, { recursive: true });
  const tmp = mkdtempSync(join(WEB, '.dist-'));
  try {
    await bundleInto(tmp);
    const files = readdirSync(tmp).sort((a, b) => Number(a === 'index.html') - Number(b === 'index.html'));
    for (const f of files) renameSync(join(tmp, f), join(UI_DIST, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function bundleInto(dir: string): Promise<void> {
  await build({
    entryPoints: [join(UI_SRC, 'main.tsx')],
    outfile: join(dir, 'app.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  copyFileSync(join(UI_SRC, 'style.css'), join(dir, 'style.css'));
  copyFileSync(join(UI_SRC, 'index.html'), join(dir, 'index.html'));
}

/** Builds when stale; true when it built. */
export async function buildUiIfStale(): Promise<boolean> {
  if (!uiIsStale()) return false;
  await buildUi();
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const built = process.argv.includes('--if-stale') ? await buildUiIfStale() : (await buildUi(), true);
  if (built) console.log(`web UI built into web/dist in ${Math.round(performance.now() - started)} ms`);
}

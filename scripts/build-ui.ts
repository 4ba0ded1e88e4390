/**
 * Builds the web UI: web/src (TypeScript, React) bundled by esbuild into web/dist, with index.html
 * and style.css copied beside the bundle. `node scripts/build-ui.ts` builds; `--if-stale` builds
 * only when web/dist is missing or older than web/src. ADR 019.
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
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

export async function buildUi(): Promise<void> {
  mkdirSync(UI_DIST, { recursive: true });
  await build({
    entryPoints: [join(UI_SRC, 'main.tsx')],
    outfile: join(UI_DIST, 'app.js'),
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
  copyFileSync(join(UI_SRC, 'style.css'), join(UI_DIST, 'style.css'));
  copyFileSync(join(UI_SRC, 'index.html'), STAMP);
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

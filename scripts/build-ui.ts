/**
 * Builds the web UI: web/src (TypeScript, React) bundled by esbuild into web/dist, split into an
 * entry (what the log-in page and the lists need) and chunks loaded when a heavy page opens
 * (converter editor, device chart, the generated forms). Every file but index.html has a content
 * hash in its name, and index.html names this build's files. `node scripts/build-ui.ts` builds;
 * `--if-stale` builds only when web/dist is missing or older than web/src. ADR 019.
 */
import { build, type Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('../web/', import.meta.url));
export const UI_SRC = join(WEB, 'src');
export const UI_DIST = join(WEB, 'dist');
const STAMP = join(UI_DIST, 'index.html');
const ENTRY = join(UI_SRC, 'main.tsx');

/** The files under a folder, as paths relative to it ('chunks/x.js'). */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => e.isDirectory() ? filesUnder(dir, join(prefix, e.name)) : [join(prefix, e.name)]);
}

function newestMtime(dir: string): number {
  return filesUnder(dir).reduce((newest, f) => Math.max(newest, statSync(join(dir, f)).mtimeMs), 0);
}

/** True when web/dist is missing or a file in web/src changed after the last build. */
export function uiIsStale(): boolean {
  return !existsSync(STAMP) || newestMtime(UI_SRC) > statSync(STAMP).mtimeMs;
}

/** Chunks first, index.html (the staleness stamp, naming the others) last. */
function moveOrder(file: string): number {
  return file === 'index.html' ? 2 : file.startsWith('chunks/') ? 0 : 1;
}

/**
 * Builds into a temp folder beside web/dist and moves the files in (index.html, which names the
 * others and is the staleness stamp, last), so a running server or a concurrent build never serves
 * a half-written file or an index naming a file not there yet. Then removes the files of earlier
 * builds (their hashed names are not in this build).
 */
export async function buildUi(): Promise<void> {
  mkdirSync(UI_DIST, { recursive: true });
  const tmp = mkdtempSync(join(WEB, '.dist-'));
  try {
    await bundleInto(tmp);
    const files = filesUnder(tmp).sort((a, b) => moveOrder(a) - moveOrder(b));
    for (const f of files) {
      mkdirSync(dirname(join(UI_DIST, f)), { recursive: true });
      renameSync(join(tmp, f), join(UI_DIST, f));
    }
    const built = new Set(files);
    for (const f of filesUnder(UI_DIST)) if (!built.has(f)) rmSync(join(UI_DIST, f), { force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A content hash in esbuild's style (8 characters of base32), for the files copied as they are. */
function hashed(name: string, body: Buffer): string {
  const hash = createHash('sha256').update(body).digest().readBigUInt64BE();
  const digits = Array.from({ length: 8 }, (_, i) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[Number((hash >> BigInt(5 * i)) & 31n)]).join('');
  return name.replace(/(\.\w+)$/, `-${digits}$1`);
}

interface EntryFiles { js: string; css: string; /** The chunks the entry imports (directly or not) before it runs. */ preload: string[] }

/** The entry's files (relative to the output folder) from esbuild's metafile, whose paths are relative to the working directory. */
function entryOutputs(metafile: Metafile, dir: string): EntryFiles {
  const entry = Object.entries(metafile.outputs).find(([, out]) => out.entryPoint !== undefined && out.entryPoint.endsWith('src/main.tsx'));
  if (!entry || !entry[1].cssBundle) throw new Error('build-ui: esbuild reported no entry JS with its CSS bundle for web/src/main.tsx');
  const preload = new Set<string>();
  const visit = (output: string): void => {
    for (const i of metafile.outputs[output]?.imports ?? []) {
      if (i.kind === 'import-statement' && !preload.has(i.path)) { preload.add(i.path); visit(i.path); }
    }
  };
  visit(entry[0]);
  const rel = (path: string): string => relative(dir, resolve(path));
  return { js: rel(entry[0]), css: rel(entry[1].cssBundle), preload: [...preload].map(rel) };
}

/**
 * index.html with the placeholders /ui/app.js, /ui/app.css and /ui/style.css replaced by this
 * build's names, and a modulepreload link per chunk the entry imports, so the browser fetches them
 * beside the entry instead of after it.
 */
function indexFor(entry: EntryFiles, style: string): string {
  let html = readFileSync(join(UI_SRC, 'index.html'), 'utf8');
  for (const [placeholder, name] of Object.entries({ 'app.js': entry.js, 'app.css': entry.css, 'style.css': style })) {
    if (!html.includes(`"/ui/${placeholder}"`)) throw new Error(`build-ui: web/src/index.html does not reference /ui/${placeholder}`);
    html = html.replace(`"/ui/${placeholder}"`, `"/ui/${name}"`);
  }
  const preloads = entry.preload.map((chunk) => `  <link rel="modulepreload" href="/ui/${chunk}">\n`).join('');
  return html.replace('</head>', `${preloads}</head>`);
}

async function bundleInto(dir: string): Promise<void> {
  const result = await build({
    entryPoints: { app: ENTRY },
    outdir: dir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'chunks/[name]-[hash]',
    splitting: true,
    metafile: true,
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
  const style = readFileSync(join(UI_SRC, 'style.css'));
  const styleName = hashed('style.css', style);
  writeFileSync(join(dir, styleName), style);
  writeFileSync(join(dir, 'index.html'), indexFor(entryOutputs(result.metafile, dir), styleName));
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

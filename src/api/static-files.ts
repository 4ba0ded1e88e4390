/**
 * The web UI's files as a browser should get them: read once and kept while unchanged on disk
 * (size and mtime checked on each request), with an ETag so a reload answers 304, and compressed
 * once (brotli or gzip, whichever the browser accepts) instead of sending 1.3 MB of JavaScript as is
 * on every page load.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export type Encoding = 'br' | 'gzip' | 'identity';

interface Entry {
  size: number;
  mtimeMs: number;
  etag: string;
  bodies: Partial<Record<Encoding, Buffer>>;
}

export interface StaticAnswer {
  /** 304 when the browser's copy (If-None-Match) is current. */
  status: 200 | 304;
  etag: string;
  encoding: Encoding;
  body: Buffer | null;
}

/** Files smaller than this are sent as they are: compressing them gains nothing. */
const MIN_COMPRESS_BYTES = 1024;

/** The best encoding the Accept-Encoding header allows (q=0 refuses one). */
export function pickEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string): boolean => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}

/** In the thread pool: brotli at quality 9 takes about 130 ms for the bundle, which must not stall intake. */
async function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'br') return brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  if (encoding === 'gzip') return gzipAsync(body, { level: 9 });
  return body;
}

export class StaticFiles {
  readonly #entries = new Map<string, Entry>();

  /** The file for a request; rejects (ENOENT…) when it cannot be read. */
  async get(path: string, headers: { acceptEncoding?: string; ifNoneMatch?: string }): Promise<StaticAnswer> {
    const entry = await this.#entry(path);
    const wanted = entry.size < MIN_COMPRESS_BYTES ? 'identity' : pickEncoding(headers.acceptEncoding);
    if (headers.ifNoneMatch?.split(',').some((t) => t.trim().replace(/^W\//, '') === entry.etag)) {
      return { status: 304, etag: entry.etag, encoding: wanted, body: null };
    }
    let body = entry.bodies[wanted];
    if (body === undefined) {
      body = await compress(entry.bodies.identity ?? await readFile(path), wanted);
      entry.bodies[wanted] = body;
    }
    return { status: 200, etag: entry.etag, encoding: wanted, body };
  }

  async #entry(path: string): Promise<Entry> {
    const info = await stat(path);
    const known = this.#entries.get(path);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known;
    const body = await readFile(path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const entry: Entry = { size: info.size, mtimeMs: info.mtimeMs, etag, bodies: { identity: body } };
    this.#entries.set(path, entry);
    return entry;
  }
}

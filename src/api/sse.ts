/**
 * Serving one server-sent event stream: headers, a first write, a check every `everyMs` that may
 * write frames, a keepalive comment every 15 s, and the end on either side's close or shutdown.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const KEEPALIVE_MS = 15_000;

export interface SseStream {
  /** Written first (after `retry: 2000`). */
  first: string;
  /** Called every `everyMs`; writes what it returns (nothing for ''). */
  check: () => string | Promise<string>;
  everyMs: number;
  /** The open streams' end functions (ended on shutdown). */
  open: Set<() => void>;
}

export function serveSse(req: FastifyRequest, reply: FastifyReply, s: SseStream): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(`retry: 2000\n${s.first}`);
  let busy = false;
  const check = setInterval(() => {
    if (busy) return;
    busy = true;
    Promise.resolve().then(s.check).then((frames) => {
      if (frames && !res.writableEnded) res.write(frames);
    }, () => undefined).finally(() => { busy = false; });
  }, s.everyMs);
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  const end = (): void => {
    clearInterval(check);
    clearInterval(keepalive);
    s.open.delete(end);
    if (!res.writableEnded) res.end();
  };
  s.open.add(end);
  req.raw.once('close', end);
  res.once('close', end);
}

/** The set a plugin's streams register in (`SseStream.open`), all ended when the server closes. */
export function trackStreams(app: FastifyInstance): Set<() => void> {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  return open;
}

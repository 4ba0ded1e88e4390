/**
 * A server-sent event response for the stream routes: headers, `retry: 2000`, a check every
 * `everyMs`, a keep-alive comment every 15 s, and the end on client close or server shutdown.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

const KEEPALIVE_MS = 15_000;

/** Streams open on one server, ended by its preClose hook. */
export type OpenStreams = Set<() => void>;

export function sseStream(req: FastifyRequest, reply: FastifyReply, open: OpenStreams, first: string, check: (write: (frame: string) => void) => void, everyMs: number): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  const write = (frame: string): void => {
    if (!res.writableEnded) res.write(frame);
  };
  write(`retry: 2000\n${first}`);
  const tick = setInterval(() => check(write), everyMs);
  const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
  const end = (): void => {
    clearInterval(tick);
    clearInterval(keepalive);
    open.delete(end);
    if (!res.writableEnded) res.end();
  };
  open.add(end);
  req.raw.once('close', end);
  res.once('close', end);
}

/**
 * A TCP proxy to a server (e.g. PostgreSQL) that a test can cut, like a network outage or a
 * database restart: `cut()` drops every open connection and drops new ones as soon as they
 * arrive, `restore()` forwards again. `cutOne()` drops only the oldest open connection (one
 * client of several losing its network path), later ones are forwarded as before.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  cut(): void;
  /** Drops the oldest forwarded connection; false when none is open. */
  cutOne(): boolean;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const forwarded = new Set<Socket>();
  let down = false;
  const track = (s: Socket): void => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    track(client);
    if (down) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    track(upstream);
    forwarded.add(client);
    client.on('close', () => forwarded.delete(client));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    cut() {
      down = true;
      for (const s of open) s.destroy();
    },
    cutOne() {
      const [oldest] = forwarded;
      oldest?.destroy();
      return oldest !== undefined;
    },
    restore() {
      down = false;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

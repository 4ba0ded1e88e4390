/**
 * One TLS port for AMQP and HTTPS, as IoT Hub serves both on its host name: after the TLS
 * handshake the first bytes decide (`AMQP` protocol header → rhea, anything else → the HTTP
 * handler). `azure-iothub` takes a single `HostName` (with the port, against the double) for its
 * AMQP client and its registry REST calls, so the two cannot live on different ports.
 */
import { createRequire } from 'node:module';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import tls from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { Container } from 'rhea';

interface RheaConnection { accept(socket: TLSSocket): void }
const requireCjs = createRequire(import.meta.url);
const Connection = requireCjs('rhea/lib/connection.js') as new (options: object, container: Container) => RheaConnection;

const AMQP_HEADER = Buffer.from('AMQP', 'ascii');

export function listenTlsWithHttp(container: Container, options: Record<string, unknown>, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const httpServer = http.createServer(handler);
  const server = tls.createServer(options as tls.TlsOptions);
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.once('readable', () => {
      const first = socket.read(Math.min(AMQP_HEADER.length, socket.readableLength)) as Buffer | null;
      if (first === null) {
        socket.destroy();
        return;
      }
      socket.unshift(first);
      if (first.equals(AMQP_HEADER.subarray(0, first.length))) new Connection(options, container).accept(socket);
      else httpServer.emit('connection', socket);
    });
  });
  server.listen(options);
  return server;
}

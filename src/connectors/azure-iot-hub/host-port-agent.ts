/**
 * An HTTPS agent that honours a port in the host name. `azure-iothub`'s `Registry` passes the
 * connection string's `HostName` as the request host; on Azure that is `<hub>.azure-devices.net`
 * (port 443), but a HostName with a port (a test double, a port-forwarding proxy) would be looked
 * up in DNS as `host:port` and fail. This splits it. Imports only node:https.
 */
import https from 'node:https';
import type { Duplex } from 'node:stream';

const HOST_PORT = /^(.+):(\d+)$/;

export class HostPortAgent extends https.Agent {
  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex {
    const m = typeof options.host === 'string' && !options.host.startsWith('[') ? HOST_PORT.exec(options.host) : null;
    const fixed = m === null ? options : { ...options, host: m[1], port: Number(m[2]), servername: m[1] };
    return (https.Agent.prototype as unknown as { createConnection(o: https.RequestOptions, cb?: unknown): Duplex }).createConnection.call(this, fixed, callback);
  }
}

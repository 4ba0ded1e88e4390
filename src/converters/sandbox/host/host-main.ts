/**
 * Entry point of a sandbox host process (started by host-process.ts with an IPC channel). It
 * serves the parent's requests until the channel closes; a fatal report is its last message, after
 * which it kills itself (isolated-vm documents a process that lost an isolate as unrecoverable).
 */
import { HostServer } from './host-server.ts';
import type { HostReply, HostRequest } from './protocol.ts';

/** If the report cannot be flushed (a broken channel), die anyway after this long. */
const DIE_AFTER_MS = 2000;

function kill(): void {
  process.kill(process.pid, 'SIGKILL');
}

if (!process.send) {
  process.stderr.write('cloudbridge sandbox host: must be started by Cloudbridge with an IPC channel\n');
  process.exit(2);
}

const send = (reply: HostReply, done?: () => void): void => {
  if (!process.connected) return;
  process.send?.(reply, undefined, undefined, () => done?.());
};

const server = new HostServer({
  send: (reply) => send(reply),
  die: (report) => {
    setTimeout(kill, DIE_AFTER_MS).unref();
    send(report, kill);
  },
  rss: () => process.memoryUsage.rss(),
});

server.startWatchdog();
process.on('message', (req: HostRequest) => server.handle(req));
send({ t: 'ready' });
// The parent is gone (exited, killed or closed the channel): nothing is left to serve.
process.on('disconnect', kill);

/**
 * What a SIGHUP does (docs/configuration.md "Reloading"): one reload at a time. A SIGHUP during a
 * reload queues one more, which reads the file as it is when it starts; further SIGHUPs while it
 * waits join it (systemd reloading twice, a certbot hook beside an operator). Each is logged.
 */
import type { App } from '../app/app.ts';
import type { CoalescingRunner } from '../core/serial-runs.ts';

const REQUESTED = {
  started: 'SIGHUP: reloading the config file',
  queued: 'SIGHUP during a reload: the file is read again and applied once the running reload ends',
  coalesced: 'SIGHUP during a reload: coalesced with the reload already waiting, which reads the file as it is then',
} as const;

export function reloadOnSignal(app: Pick<App, 'log'>, reloads: CoalescingRunner, file: string): void {
  const { outcome, done } = reloads.request();
  app.log.info({ file, reload: outcome }, REQUESTED[outcome]);
  if (outcome === 'coalesced') return;
  done.then(
    () => app.log.info('config reloaded: what changed in converters, integrations, forwarders, retention, credentialExpiry and server.tls was applied'),
    (err: unknown) => app.log.error({ err: (err as Error).message }, 'config reload refused; the running config is unchanged'),
  );
}

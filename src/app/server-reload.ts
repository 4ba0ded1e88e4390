/**
 * What a reload (SIGHUP) does with the file's `server` section (docs/configuration.md "Reloading").
 * `server.tls` is read again even when its paths did not change (certbot and cert-manager replace
 * the files in place) and checked exactly as at start; a renewed certificate is swapped into the
 * running HTTPS server with `setSecureContext`, so new connections get it and open ones keep theirs.
 * What only a restart can change (server.port, server.host, adding or removing server.tls) is
 * reported as a warning naming the field, and the listener stays as it is.
 */
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { CloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ConfigFile } from './config-file.ts';
import { loadServerTls, type ServerTls } from './server-tls.ts';

/** The listener as it was started: its config (after --port/--host) and the certificate it serves. */
export interface RunningServer {
  port: number;
  host: string;
  tls: ServerTls | undefined;
}

/** What the file's server section asks of the running server. */
export interface ServerReload {
  /** The certificate and key to serve from now on, when they differ from the ones served. */
  renewed?: ServerTls;
  /** What only a restart applies: one message per field. */
  needsRestart: Array<{ field: string; message: string }>;
}

/** Whatever serves TLS: the HTTPS server (`tls.Server#setSecureContext`). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

const RESTART = 'restart Cloudbridge to apply it (systemctl restart cloudbridge); the reload applied everything else';

/** Refuses material OpenSSL cannot serve, naming server.tls.cert (loadServerTls has checked the rest). */
function checkUsable(tls: ServerTls): void {
  try {
    createSecureContext({ cert: tls.cert, key: tls.key });
  } catch (err) {
    throw new CloudbridgeError('CONFIG_INVALID', `server.tls.cert: cannot be served with its key (${(err as Error).message}); give a certificate and key OpenSSL accepts`, { field: 'server.tls.cert' });
  }
}

/**
 * Checks the file's server section against the running server, before the reload changes anything:
 * a certificate or key that would not start the service throws CONFIG_INVALID naming the field
 * (never the key), so a refused reload keeps the current certificate serving.
 */
export function planServerReload(running: RunningServer, next: ConfigFile['server']): ServerReload {
  const needsRestart: ServerReload['needsRestart'] = [];
  if (next.port !== running.port) {
    needsRestart.push({ field: 'server.port', message: `server.port changed from ${running.port} to ${next.port}: a reload does not move the listener; ${RESTART}` });
  }
  if (next.host !== running.host) {
    needsRestart.push({ field: 'server.host', message: `server.host changed from ${running.host} to ${next.host}: a reload does not move the listener; ${RESTART}` });
  }
  const loaded = next.tls ? loadServerTls(next.tls) : undefined;
  if (loaded) checkUsable(loaded);
  if (loaded && !running.tls) {
    needsRestart.push({ field: 'server.tls', message: `server.tls was added: the API keeps answering plain HTTP until a restart; ${RESTART}` });
    return { needsRestart };
  }
  if (!loaded && running.tls) {
    needsRestart.push({ field: 'server.tls', message: `server.tls was removed: the API keeps answering HTTPS with the current certificate until a restart; ${RESTART}` });
    return { needsRestart };
  }
  const changed = loaded && running.tls && (loaded.cert !== running.tls.cert || loaded.key !== running.tls.key);
  return changed ? { renewed: loaded, needsRestart } : { needsRestart };
}

/** Serves the renewed certificate to new connections and logs what needs a restart; returns what is served now. */
export function applyServerReload(running: RunningServer, plan: ServerReload, target: SecureContextTarget | undefined, log: Logger): RunningServer {
  for (const { field, message } of plan.needsRestart) log.warn({ field }, message);
  if (!plan.renewed || !target) return running;
  target.setSecureContext({ cert: plan.renewed.cert, key: plan.renewed.key });
  log.info({ certificateValidTo: new Date(plan.renewed.validTo).toISOString() }, 'server.tls: the renewed certificate is served to new connections (open connections keep theirs)');
  return { ...running, tls: plan.renewed };
}

/** The HTTPS server under Fastify's `server.server`, or undefined for plain HTTP. */
export function secureContextTarget(raw: unknown): SecureContextTarget | undefined {
  const candidate = raw as Partial<SecureContextTarget> | null;
  return typeof candidate?.setSecureContext === 'function' ? (candidate as SecureContextTarget) : undefined;
}

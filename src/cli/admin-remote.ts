/** A running Cloudbridge through its REST API (`--url`, `--token`), for `cloudbridge integrations` and `converters`. */
import type { IntegrationView } from '../app/config-service.ts';
import type { CheckResult } from '../core/connector.ts';
import { CloudbridgeError, ERROR_CATALOGUE, type ErrorCode } from '../core/errors.ts';
import type { ConverterConfig } from '../core/model.ts';
import type { AdminTarget } from './admin-target.ts';
import { UsageError } from './args.ts';

class ApiTarget implements AdminTarget {
  readonly live = true;
  readonly where: string;
  readonly #base: string;
  readonly #token: string;

  constructor(url: string, token: string) {
    this.where = url;
    this.#base = `${url.replace(/\/+$/, '')}/api/v1`;
    this.#token = token;
  }

  async #call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, { method, headers: { authorization: `Bearer ${this.#token}` }, signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new UsageError(`cannot reach Cloudbridge at ${this.where} (${cause}): check --url (or CLOUDBRIDGE_URL) and that it runs`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new UsageError(`${this.where} answered ${res.status} with something that is not Cloudbridge's API (not JSON): check --url`);
    }
    if (res.ok) return body as T;
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    const code: ErrorCode = error?.code && error.code in ERROR_CATALOGUE ? error.code as ErrorCode : 'INTERNAL';
    throw new CloudbridgeError(code, `${error?.message ?? `HTTP ${res.status}`}${code === 'UNAUTHORIZED' ? ' (--token or CLOUDBRIDGE_TOKEN)' : ''}`);
  }

  listIntegrations(): Promise<IntegrationView[]> { return this.#call('GET', '/integrations'); }
  integration(idOrName: string): Promise<IntegrationView> { return this.#call('GET', `/integrations/${encodeURIComponent(idOrName)}`); }
  setEnabled(idOrName: string, enabled: boolean): Promise<IntegrationView> {
    return this.#call('POST', `/integrations/${encodeURIComponent(idOrName)}/${enabled ? 'enable' : 'disable'}`);
  }
  check(idOrName: string): Promise<CheckResult> { return this.#call('POST', `/integrations/${encodeURIComponent(idOrName)}/check`); }
  listConverters(): Promise<ConverterConfig[]> { return this.#call('GET', '/converters'); }
  async close(): Promise<void> { /* nothing held open between calls */ }
}

/** The running instance at `url` (an http(s) URL) with an API token. */
export function apiTarget(url: string, token: string | undefined): AdminTarget {
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be the instance's address, like http://localhost:8080, not "${url}"`);
  if (!token) throw new UsageError('--url needs an API token: --token T or CLOUDBRIDGE_TOKEN (a viewer token may list and show; enable, disable and check need an admin token)');
  return new ApiTarget(url, token);
}

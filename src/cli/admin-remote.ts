/**
 * A running Cloudbridge through its REST API (`--url`, `--token`), for `cloudbridge integrations`,
 * `converters` and `token`: one client whose errors say what to fix (the URL, the token, its role).
 */
import type { IntegrationView } from '../app/config-service.ts';
import type { CheckResult } from '../core/connector.ts';
import { CloudbridgeError, ERROR_CATALOGUE, type ErrorCode } from '../core/errors.ts';
import type { ConverterConfig } from '../core/model.ts';
import type { AdminTarget } from './admin-target.ts';
import { UsageError } from './args.ts';

/** The REST API of the instance at a URL, called with one API token (never shown in a message). */
export class ApiClient {
  readonly where: string;
  readonly #base: string;
  readonly #token: string;

  constructor(url: string, token: string) {
    this.where = url;
    this.#base = `${url.replace(/\/+$/, '')}/api/v1`;
    this.#token = token;
  }

  /** The answer's JSON (undefined for 204); the API's error as a CloudbridgeError of the same code. */
  async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new UsageError(`cannot reach Cloudbridge at ${this.where} (${cause}): check --url (or CLOUDBRIDGE_URL) and that it runs`);
    }
    const text = await res.text();
    let answer: unknown;
    try {
      answer = text ? JSON.parse(text) : undefined;
    } catch {
      throw new UsageError(`${this.where} answered ${res.status} with something that is not Cloudbridge's API (not JSON): check --url`);
    }
    if (res.ok) return answer as T;
    const error = (answer as { error?: { code?: string; message?: string } } | undefined)?.error;
    const code: ErrorCode = error?.code && error.code in ERROR_CATALOGUE ? error.code as ErrorCode : 'INTERNAL';
    if (code === 'UNAUTHORIZED') {
      throw new CloudbridgeError(code, `${this.where} does not accept the token (unknown or revoked there): check --token or CLOUDBRIDGE_TOKEN`);
    }
    const message = error?.message ?? `HTTP ${res.status}`;
    // FORBIDDEN: the API says which role is needed; the CLI adds where the token came from.
    throw new CloudbridgeError(code, code === 'FORBIDDEN' ? `${message} (--token or CLOUDBRIDGE_TOKEN)` : message);
  }
}

class ApiTarget implements AdminTarget {
  readonly live = true;
  readonly where: string;
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.where = api.where;
    this.#api = api;
  }

  listIntegrations(): Promise<IntegrationView[]> { return this.#api.call('GET', '/integrations'); }
  integration(idOrName: string): Promise<IntegrationView> { return this.#api.call('GET', `/integrations/${encodeURIComponent(idOrName)}`); }
  setEnabled(idOrName: string, enabled: boolean): Promise<IntegrationView> {
    return this.#api.call('POST', `/integrations/${encodeURIComponent(idOrName)}/${enabled ? 'enable' : 'disable'}`);
  }
  check(idOrName: string): Promise<CheckResult> { return this.#api.call('POST', `/integrations/${encodeURIComponent(idOrName)}/check`); }
  listConverters(): Promise<ConverterConfig[]> { return this.#api.call('GET', '/converters'); }
  async close(): Promise<void> { /* nothing held open between calls */ }
}

/**
 * The running instance at `url` (an http(s) URL) with an API token; `roles` tells which role the
 * command's actions need, for the message when no token is given.
 */
export function apiClient(url: string, token: string | undefined, roles: string): ApiClient {
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be the instance's address, like http://localhost:8080, not "${url}"`);
  if (!token) throw new UsageError(`--url needs an API token: --token T or CLOUDBRIDGE_TOKEN (${roles})`);
  return new ApiClient(url, token);
}

/** The integrations and converters of the instance behind `api`. */
export const apiTarget = (api: ApiClient): AdminTarget => new ApiTarget(api);

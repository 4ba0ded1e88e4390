/** The REST API client: the session's token in the Authorization header, errors as ApiError. */
import { session } from './session.ts';

export interface ApiProblem {
  field: string;
  message: string;
}

/** An error answer of the API (`{error: {code, message, details}}`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problems: ApiProblem[];

  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    const listed = Array.isArray(details.problems) ? (details.problems as ApiProblem[]) : [];
    this.problems = listed.length > 0 ? listed : typeof details.field === 'string' ? [{ field: details.field, message }] : [];
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${session.token() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `HTTP ${res.status}`, e?.details ?? {});
  }
  return parsed as T;
}

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);

export function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
}

/**
 * Errors as they cross a thread or process boundary (structured clone and IPC keep no classes):
 * a CloudbridgeError keeps its code, message, details and retryability; any other error keeps its
 * name, message and SQLite `errcode`, so the receiving side translates it as it would have locally.
 */
import { CloudbridgeError, isCloudbridgeError, type ErrorCode } from './errors.ts';

export interface WireError {
  /** Set for a CloudbridgeError. */
  code?: string;
  name: string;
  message: string;
  details: Record<string, unknown>;
  retryable?: boolean;
  errcode?: number;
}

export function toWireError(err: unknown): WireError {
  if (isCloudbridgeError(err)) {
    return { code: err.code, name: err.name, message: err.message, details: { ...err.details }, retryable: err.retryable };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const errcode = (err as { errcode?: unknown } | null)?.errcode;
  return { name: e.name, message: e.message, details: {}, ...(typeof errcode === 'number' ? { errcode } : {}) };
}

export function fromWireError(w: WireError): Error {
  if (w.code !== undefined) {
    return new CloudbridgeError(w.code as ErrorCode, w.message, w.details, w.retryable === false ? { retryable: false } : undefined);
  }
  const err = new Error(w.message) as Error & { errcode?: number };
  err.name = w.name;
  if (w.errcode !== undefined) err.errcode = w.errcode;
  return err;
}

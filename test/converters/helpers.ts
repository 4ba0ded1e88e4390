/** Shared fixtures for the converter tests. */
import type { ConverterConfig, ConverterLanguage, ConverterLimits } from '../../src/core/model.ts';
import type { SandboxKind, UplinkConversion, UplinkInput } from '../../src/converters/index.ts';

export const SANDBOXES: readonly SandboxKind[] = ['isolated-vm', 'quickjs'];

export const RECEIVED_AT = 1_700_000_000_000;

export function converter(script: string, opts: { type?: 'uplink' | 'downlink'; language?: ConverterLanguage; limits?: Partial<ConverterLimits> } = {}): ConverterConfig {
  return {
    id: 'c1', name: 'test converter', type: opts.type ?? 'uplink', language: opts.language ?? 'javascript',
    script, limits: opts.limits, createdAt: 0, updatedAt: 0,
  };
}

export function bytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
}

export function input(value: unknown, metadata: Record<string, string> = {}): UplinkInput {
  return { payload: bytes(value), metadata, receivedAt: RECEIVED_AT };
}

/** The error code of a failed conversion, or 'ok'. */
export function codeOf(c: UplinkConversion | undefined): string {
  if (!c) return 'missing';
  return c.ok ? 'ok' : c.error.code;
}

export function errorOf(c: UplinkConversion | undefined): { code: string; message: string; stage: string } {
  if (!c || c.ok) throw new Error(`expected a failed conversion, got ${JSON.stringify(c)}`);
  return { code: c.error.code, message: c.error.message, stage: c.stage };
}

export function recordsOf(c: UplinkConversion | undefined): Extract<UplinkConversion, { ok: true }>['records'] {
  if (!c || !c.ok) throw new Error(`expected a successful conversion, got ${c ? `${c.error.code}: ${c.error.message}` : 'nothing'}`);
  return c.records;
}

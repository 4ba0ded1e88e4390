/** Shared fixtures for the converter tests. */
import type { ConverterConfig, ConverterLanguage, ConverterLimits } from '../../src/core/model.ts';
import assert from 'node:assert/strict';
import { normalizeUplink, type SandboxKind, type UplinkConversion, type UplinkInput } from '../../src/converters/index.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';

export const SANDBOXES: readonly SandboxKind[] = ['isolated-vm', 'quickjs'];

export const RECEIVED_AT = 1_700_000_000_000;

/** Every shape of memory bomb issue 7 lists (and the step-by-step ones), as script statements. */
export const MEMORY_SHAPES: Readonly<Record<string, string>> = {
  'a fill of a huge array': 'new Array(1e8).fill(0)',
  'a fill after setting length': 'var a = []; a.length = 1e8; a.fill(1)',
  'a fill of 160 MB (under the size V8 refuses)': 'new Array(2e7).fill(0)',
  'a 512 MB string by repeat': 'var s = "x".repeat(2 ** 29 - 24); s.length',
  'a string by padStart': '"x".padStart(1e9)',
  'a string doubled in a loop': 'var s = "ab"; for (;;) s = s + s',
  'a typed array': 'new Float64Array(2e7)',
  'an ArrayBuffer': 'new ArrayBuffer(5e8)',
  'Array.from with a huge length': 'Array.from({ length: 1e8 })',
  'arrays pushed in a loop': 'var a = []; for (;;) a.push(new Array(1000))',
  'a growing Map': 'var m = new Map(); for (var i = 0;; i++) m.set(i, { i: i })',
  'strings hoarded in a loop': 'var h = []; var s = "x".repeat(1 << 20); for (;;) h.push(s + h.length)',
};

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

/** The CONVERTER_OUTPUT message normalizeUplink gives for `raw` (fails the test when it accepts it). */
export function outputError(raw: unknown, messageTs = 5000): string {
  try {
    normalizeUplink(raw, messageTs);
  } catch (err) {
    assert.ok(err instanceof CloudbridgeError);
    assert.equal(err.code, 'CONVERTER_OUTPUT');
    return err.message;
  }
  assert.fail('expected a CONVERTER_OUTPUT error');
}

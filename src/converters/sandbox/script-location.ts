/**
 * Maps positions reported by the sandboxes back to the user's script. The wrapper header sits on
 * the user's first line, so lines match and only line-1 columns need correcting.
 */
import { CloudbridgeError } from '../../core/errors.ts';

export const USER_FILENAME = 'converter.js';

export interface ScriptLocation {
  line: number;
  column: number;
}

/** Finds the first `converter.js:line[:column]` in an error message or stack. */
export function findLocation(text: string): ScriptLocation | null {
  const m = /converter\.js:(\d+)(?::(\d+))?/.exec(text);
  if (!m) return null;
  return { line: Number(m[1]), column: m[2] === undefined ? 0 : Number(m[2]) };
}

export function toUserLocation(raw: ScriptLocation, headerColumns: number): ScriptLocation {
  if (raw.line !== 1) return raw;
  return { line: 1, column: Math.max(1, raw.column - headerColumns) };
}

export function describeLocation(loc: ScriptLocation): string {
  return loc.column > 0 ? `line ${loc.line}, column ${loc.column}` : `line ${loc.line}`;
}

/** Removes sandbox-internal location markers (`[converter.js:2:11]`) from a message. */
export function stripLocation(message: string): string {
  return message.replace(/\s*\[converter\.js:\d+(?::\d+)?\]/g, '').trim();
}

/**
 * The CONVERTER_COMPILE error for a script that did not load. `message` is the sandbox's error
 * text (`SyntaxError: Unexpected token ';'`), `trace` where to look for a location (message or stack).
 */
export function compileError(message: string, trace: string, program: { headerColumns: number; locations: boolean }): CloudbridgeError {
  const raw = program.locations ? findLocation(trace) : null;
  const loc = raw ? toUserLocation(raw, program.headerColumns) : null;
  if (!program.locations) {
    const text = message.replace(/^SyntaxError: (?=JSONata)/, '');
    const position = /at position (\d+)/.exec(text)?.[1];
    const code = /^JSONata error ([A-Z]\d{4})/.exec(text)?.[1];
    return new CloudbridgeError('CONVERTER_COMPILE', text, {
      ...(position === undefined ? {} : { position: Number(position) }),
      ...(code === undefined ? {} : { jsonataCode: code }),
    });
  }
  const text = stripLocation(message);
  return new CloudbridgeError('CONVERTER_COMPILE', loc ? `${text} (${describeLocation(loc)})` : text, loc ? { ...loc } : {});
}

/**
 * How a message payload is shown: pretty JSON when it parses as JSON, text when it is printable
 * UTF-8, a hex dump otherwise. Decided from the content, never from a declared type.
 */
export interface Shown {
  kind: 'JSON' | 'text' | 'hex';
  content: string;
}

/** Control characters other than tab, newline and carriage return (and DEL, the C1 range, U+FFFD) make text unreadable. */
function unprintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) return true;
  }
  return false;
}

export function bytesOfBase64(base64: string): Uint8Array {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Offset, 16 bytes in hex, and their printable ASCII, one line per 16 bytes. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const chunk = [...bytes.subarray(off, off + 16)];
    const hex = chunk.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = chunk.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** Pretty JSON for an object or array text; null when it is not JSON of that shape. */
function prettyJson(text: string): string | null {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

/** A payload given as text (null when not UTF-8) and/or base64 bytes. */
export function showPayload(text: string | null, base64: string | null): Shown {
  if (text !== null && !unprintable(text)) {
    const json = prettyJson(text);
    return json !== null ? { kind: 'JSON', content: json } : { kind: 'text', content: text };
  }
  if (base64 !== null) return { kind: 'hex', content: hexDump(bytesOfBase64(base64)) };
  return { kind: 'hex', content: hexDump(new TextEncoder().encode(text ?? '')) };
}

/** A value of an event body: strings as payloads, anything else as pretty JSON. */
export function showValue(value: unknown, binary = false): Shown {
  if (typeof value === 'string') return binary ? showPayload(null, value) : showPayload(value, null);
  return { kind: 'JSON', content: JSON.stringify(value, null, 2) };
}

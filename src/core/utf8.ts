/** Bytes as UTF-8 text when they are valid UTF-8, else null (for display: text or base64). */
const strict = new TextDecoder('utf-8', { fatal: true });

export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

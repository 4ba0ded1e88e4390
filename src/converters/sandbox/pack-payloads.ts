/**
 * Packs a batch's payloads back to back into one FRESH buffer. Never hand a payload's own
 * `.buffer` to a sandbox: a Uint8Array may be a view into a larger shared buffer (Node's Buffer
 * pool) holding other data.
 */
export function packPayloads(payloads: readonly Uint8Array[]): { bytes: Uint8Array<ArrayBuffer>; offsets: number[] } {
  let total = 0;
  for (const p of payloads) total += p.byteLength;
  const bytes = new Uint8Array(total);
  const offsets = new Array<number>(payloads.length + 1);
  let at = 0;
  payloads.forEach((p, i) => {
    offsets[i] = at;
    bytes.set(p, at);
    at += p.byteLength;
  });
  offsets[payloads.length] = at;
  return { bytes, offsets };
}

/** A Bloom filter over 16-byte digests (the bench's `+filter` layout): 10 bits and 7 probes per key, about 1% false positives. */
export class DigestBloom {
  readonly #bits: Uint32Array;
  readonly #m: number;

  constructor(capacity: number) {
    this.#m = Math.max(64, capacity * 10);
    this.#bits = new Uint32Array(Math.ceil(this.#m / 32));
  }

  add(digest: Uint8Array): void {
    for (const bit of this.#positions(digest)) this.#bits[bit >>> 5] = (this.#bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
  }

  mayHave(digest: Uint8Array): boolean {
    for (const bit of this.#positions(digest)) if (((this.#bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    return true;
  }

  /** Double hashing from the digest's own bytes (it is already uniform). */
  *#positions(d: Uint8Array): Generator<number> {
    const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const h1 = view.getUint32(0);
    const h2 = view.getUint32(4) | 1;
    for (let i = 0; i < 7; i++) yield (h1 + i * h2) % this.#m;
  }
}

/**
 * The `+filter` layouts' bookkeeping: the digests written to the current generation, and from a
 * rotation on, the Bloom filter of the previous one. Layouts without the filter note nothing and
 * rule nothing out.
 */
export class PreviousGenerationFilter {
  readonly #enabled: boolean;
  #written: Uint8Array[] = [];
  #filter: DigestBloom | null = null;

  constructor(layout: string) {
    this.#enabled = layout.endsWith('+filter');
  }

  note(digests: Iterable<Uint8Array>): void {
    if (this.#enabled) for (const d of digests) this.#written.push(d);
  }

  /** The current generation becomes the previous one: its digests go into the filter. */
  rotate(): void {
    if (!this.#enabled) return;
    this.#filter = new DigestBloom(this.#written.length);
    for (const d of this.#written) this.#filter.add(d);
    this.#written = [];
  }

  /** False only when the previous generation certainly lacks the digest. */
  mayHold(digest: Uint8Array): boolean {
    return this.#filter === null || this.#filter.mayHave(digest);
  }
}

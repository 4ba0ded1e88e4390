/**
 * Recognises unexpected redeliveries: a message id received again while it is still being
 * processed, or after it was acknowledged. Pub/Sub does that when an ack deadline expired before
 * the ack arrived (deadline too short for the store's latency, a network hiccup, a lost ack); the
 * store recognises the copy by its message id, but each one is wasted work and a sign to look at.
 * Remembers the most recent `capacity` ids. Messages a closed stream gave back are expected to
 * come again (`forgetProcessing`).
 */
type State = 'processing' | 'acknowledged';

export class RedeliveryTracker {
  private readonly ids = new Map<string, State>();
  private readonly capacity: number;
  /** Unexpected redeliveries seen. */
  redeliveries = 0;

  constructor(capacity = 100_000) {
    this.capacity = capacity;
  }

  /** Records a receipt; true when it is an unexpected redelivery. */
  received(id: string): boolean {
    const before = this.ids.get(id);
    this.set(id, 'processing');
    if (before === undefined) return false;
    this.redeliveries++;
    return true;
  }

  acknowledged(id: string): void {
    this.set(id, 'acknowledged');
  }

  /** A closed stream gave these back: their redelivery is expected. */
  forgetProcessing(): void {
    for (const [id, state] of this.ids) if (state === 'processing') this.ids.delete(id);
  }

  private set(id: string, state: State): void {
    this.ids.delete(id);
    this.ids.set(id, state);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}

/**
 * Recognises unexpected redeliveries: a message id received again while it is still being
 * processed, or after it was acknowledged. Pub/Sub does that when an ack deadline expired before
 * the ack arrived (deadline too short for the store's latency, a network hiccup, a lost ack); the
 * store recognises the copy by its message id, but each one is wasted work and a sign to look at.
 * A message given back on purpose (a rejected delivery) coming back is expected and not counted.
 * Remembers the most recent `capacity` ids.
 */
type State = 'processing' | 'acknowledged' | 'given-back';

export class RedeliveryTracker {
  private readonly ids = new Map<string, State>();
  private readonly capacity: number;
  /** Unexpected redeliveries seen. */
  redeliveries = 0;
  /** Redeliveries of messages given back after a rejected delivery. */
  retries = 0;

  constructor(capacity = 100_000) {
    this.capacity = capacity;
  }

  /** Records a receipt; true when it is an unexpected redelivery. */
  received(id: string): boolean {
    const before = this.ids.get(id);
    this.set(id, 'processing');
    if (before === 'given-back') {
      this.retries++;
      return false;
    }
    if (before === undefined) return false;
    this.redeliveries++;
    return true;
  }

  acknowledged(id: string): void {
    this.set(id, 'acknowledged');
  }

  givenBack(id: string): void {
    this.set(id, 'given-back');
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

/** Reads server-sent events from a fetch response, one `{event, data}` at a time. */

export interface SseEvent {
  event: string;
  data: unknown;
}

export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private readonly queue: SseEvent[] = [];

  constructor(res: Response) {
    if (!res.body) throw new Error('response has no body');
    this.reader = res.body.getReader();
  }

  /** The next event (comments and `retry:` lines skipped). */
  async next(): Promise<SseEvent> {
    while (this.queue.length === 0) {
      const { value, done } = await this.reader.read();
      if (done) throw new Error('event stream ended');
      this.buffer += this.decoder.decode(value, { stream: true });
      let end: number;
      while ((end = this.buffer.indexOf('\n\n')) >= 0) {
        const frame = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const lines = frame.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (event) this.queue.push({ event, data: JSON.parse(data) });
      }
    }
    return this.queue.shift() as SseEvent;
  }

  /** Reads events until `match` returns something truthy for one; returns that. */
  async until<T>(match: (e: SseEvent) => T | undefined | null | false): Promise<T> {
    for (;;) {
      const found = match(await this.next());
      if (found) return found;
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

/**
 * Incoming transfers: a plain message (format 0, which rhea hands over decoded) or an SDK batch
 * (format 0x80013700: an envelope whose body holds one `data` section per encoded inner message;
 * a one-element batch decodes as a single section, not `multiple`).
 */
import type { Message } from 'rhea';
import { decodeMessage, encodeMessage } from './rhea-access.ts';

export const BATCH_FORMAT = 0x80013700;

export interface IncomingTransfer {
  /** The raw bytes of each message carried by the transfer (one for a plain message). */
  messages: Buffer[];
  /** The envelope's message annotations (a batch copies them from its first message). */
  envelopeAnnotations: Record<string, unknown>;
  /** Encoded size of the whole transfer, as checked against max_message_size. */
  sizeBytes: number;
  batched: boolean;
}

interface BodySection { typecode?: number; content?: unknown; multiple?: boolean }

export function readTransfer(message: Message | Buffer, format: number | undefined): IncomingTransfer {
  if (Buffer.isBuffer(message)) {
    if (format !== BATCH_FORMAT) throw new Error(`unsupported message format ${String(format)}`);
    const envelope = decodeMessage(message);
    const body = envelope.body as BodySection | undefined;
    let inner: Buffer[] = [];
    if (body !== undefined && body.typecode === 0x75) {
      const content = body.content;
      if (body.multiple === true && Array.isArray(content)) inner = content.filter((c): c is Buffer => Buffer.isBuffer(c));
      else if (Buffer.isBuffer(content)) inner = [content];
    }
    return { messages: inner, envelopeAnnotations: envelope.message_annotations ?? {}, sizeBytes: message.length, batched: true };
  }
  const raw = encodeMessage(message);
  return { messages: [raw], envelopeAnnotations: message.message_annotations ?? {}, sizeBytes: raw.length, batched: false };
}

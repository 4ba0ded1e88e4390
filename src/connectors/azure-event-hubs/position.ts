/**
 * An Event Hubs checkpoint as Cloudbridge stores it (the lease's `checkpoint`): the sequence number
 * and the offset of the last event stored, `<sequenceNumber>@<offset>`. The SDK resumes after the
 * offset (exclusive); the sequence number orders positions and shows in the status.
 */
export interface EventPositionMark {
  sequenceNumber: number;
  offset: string;
}

export function formatPosition(p: EventPositionMark): string {
  return `${p.sequenceNumber}@${p.offset}`;
}

export function parsePosition(text: string | null): EventPositionMark | null {
  if (!text) return null;
  const m = /^(-?\d+)@(.+)$/.exec(text);
  return m?.[1] && m[2] ? { sequenceNumber: Number(m[1]), offset: m[2] } : null;
}

/**
 * The lease key of a partition: namespace, event hub and consumer group (lower case: Azure's names
 * are case-insensitive) and the partition id. A new consumer group, hub or namespace starts over.
 */
export function leaseKey(namespace: string, eventHubName: string, consumerGroup: string, partitionId: string): string {
  return `${namespace.toLowerCase()}/${eventHubName.toLowerCase()}/${consumerGroup.toLowerCase()}/${partitionId}`;
}

export function leasePrefix(namespace: string, eventHubName: string, consumerGroup: string): string {
  return leaseKey(namespace, eventHubName, consumerGroup, '');
}

/**
 * Event Hubs errors translated at the edge (on `azure-common`'s `translateAzureError`): the event
 * hub and consumer group named, the rights the policy needs (Listen; Send for downlinks), "use a
 * dedicated consumer group" when another reader takes a partition or the 5-readers limit is hit.
 */
import type { CloudbridgeError } from '../../core/errors.ts';
import { translateAzureError } from '../azure-common/index.ts';

export interface EventHubsErrorContext {
  /** `Event Hubs`, or `IoT Hub` when reading its built-in endpoint. */
  service?: string | undefined;
  host: string;
  keyName: string | undefined;
  eventHubName: string;
  consumerGroup: string;
  operation: string;
  partitionId?: string | undefined;
  /** The operation sends (downlink): the policy needs Send. */
  sending?: boolean | undefined;
  /** Field naming the hub (`eventHubName`). */
  field?: string | undefined;
}

export const DEDICATED_GROUP_FIX = 'Use a dedicated consumer group for Cloudbridge (Event hub → Consumer groups → + Consumer group, then set consumerGroup): a partition allows at most 5 readers per consumer group, and a reader with an owner level (another Event Processor, Stream Analytics, Functions) takes partitions away from the others in its group.';

export function translateEventHubsError(err: unknown, c: EventHubsErrorContext): CloudbridgeError {
  const hub = `event hub "${c.eventHubName}"`;
  const consumerGroup = /consumer ?group/i;
  return translateAzureError(err, {
    connector: c.service ?? 'Event Hubs',
    field: c.field ?? 'eventHubName',
    operation: c.operation,
    entity: c.partitionId !== undefined ? `partition ${c.partitionId} of ${hub} (consumer group "${c.consumerGroup}")` : hub,
    host: c.host,
    keyName: c.keyName,
    rights: c.sending ? 'Send' : 'Listen (and Send if downlinks are sent)',
    readerConflictFix: DEDICATED_GROUP_FIX,
    outOfRangeFix: 'A checkpoint is past the end of the partition (the event hub was deleted and created again under the same name?): use a new consumer group to read it from startPosition.',
    details: { eventHubName: c.eventHubName, consumerGroup: c.consumerGroup, ...(c.partitionId !== undefined ? { partitionId: c.partitionId } : {}) },
    cases: ({ code, detail, details, err: cause }) => {
      if ((code === 'MessagingEntityNotFoundError' || code === 'amqp:not-found') && consumerGroup.test(detail)) {
        return translateAzureError(cause, {
          connector: c.service ?? 'Event Hubs', field: 'consumerGroup', operation: c.operation,
          entity: `consumer group "${c.consumerGroup}" of ${hub}`, host: c.host, keyName: c.keyName, rights: 'Listen', details,
        });
      }
      return undefined;
    },
  });
}

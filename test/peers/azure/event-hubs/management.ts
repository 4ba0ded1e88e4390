/**
 * The Event Hubs `$management` node: READ of hub properties (`com.microsoft:eventhub`) and of
 * partition properties (`com.microsoft:partition`), with the body shapes the SDK parses.
 */
import rhea from 'rhea';
import { CONDITIONS } from '../conditions.ts';
import type { Reply, RequestContext, RequestNode } from '../request-response.ts';
import { fail, ok } from '../request-response.ts';
import type { EventHubsService } from './service.ts';

const { wrap_long } = rhea.types;

export function eventHubsManagementNode(service: EventHubsService, isAuthorized: (ctx: RequestContext, path: string) => boolean): RequestNode {
  return {
    style: 'kebab',
    matches: (address) => address.toLowerCase() === '$management',
    handle(ctx: RequestContext): Reply {
      const props = ctx.message.application_properties ?? {};
      const operation: unknown = props['operation'];
      const type: unknown = props['type'];
      const name = String(props['name'] ?? '');
      if (operation !== 'READ') return fail(400, CONDITIONS.notImplemented, `Unsupported management operation '${String(operation)}'.`);
      const hub = service.hub(name);
      if (hub === undefined) return fail(404, CONDITIONS.notFound, `The messaging entity '${name}' could not be found.`);
      if (!isAuthorized(ctx, `${hub.name}/$management`)) return fail(401, CONDITIONS.unauthorized, `Unauthorized access to '${hub.name}/$management'. Put a valid token on $cbs first.`);
      if (type === 'com.microsoft:eventhub') {
        return ok({
          name: hub.name,
          type: 'com.microsoft:eventhub',
          created_at: hub.createdAt,
          partition_ids: hub.partitions.map((p) => p.id),
        });
      }
      if (type === 'com.microsoft:partition') {
        const id = String(props['partition'] ?? '');
        const log = hub.partitions.find((p) => p.id === id);
        if (log === undefined) {
          return fail(400, CONDITIONS.argumentOutOfRange, `The specified partition is invalid for an EventHub partition sender or receiver. It should be between 0 and ${hub.partitions.length - 1}.`);
        }
        const info = log.info();
        return ok({
          name: hub.name,
          type: 'com.microsoft:partition',
          partition: id,
          begin_sequence_number: wrap_long(info.beginSequenceNumber),
          last_enqueued_sequence_number: wrap_long(info.lastEnqueuedSequenceNumber),
          last_enqueued_offset: info.lastEnqueuedOffset,
          last_enqueued_time_utc: info.lastEnqueuedTimeUtc,
          is_partition_empty: info.isEmpty,
        });
      }
      return fail(400, CONDITIONS.notImplemented, `Unsupported READ type '${String(type)}'.`);
    },
  };
}

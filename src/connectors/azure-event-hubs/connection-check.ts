/**
 * "Check connection" for `azure-event-hubs`: the hub's properties (credentials, namespace, hub),
 * each partition's properties (last enqueued sequence number), and a receiver opened on one
 * partition at `latest` and closed at once (the consumer group exists, Listen is granted),
 * consuming nothing and writing no checkpoint or lease.
 */
import type { CheckResult } from '../../core/connector.ts';
import { azureErrorCode } from '../azure-common/index.ts';
import type { ResolvedEventHubsConfig } from './config-spec.ts';
import type { EventHubsApi } from './event-hubs-api.ts';
import { translateEventHubsError } from './event-hubs-errors.ts';

/** A receiver that refused because a reader with an owner level holds the partition still proves the group exists. */
const GROUP_EXISTS = new Set(['ReceiverDisconnectedError', 'amqp:link:stolen']);

/**
 * How long the probe's receiver waits for an event once attached. The attach is the answer (a
 * refusal fails it); at `latest` no event comes, so the SDK hands over an empty batch after this
 * wait. It was 200 ms, spent on every start before the first partition was read.
 */
const PROBE_WAIT_MS = 10;

/**
 * Opens a receiver on `partitionId` at `latest` and closes it on its first answer: `{ error }`
 * when the attach was refused (unknown consumer group, no Listen right, reader limit).
 */
export async function probeConsumerGroup(api: EventHubsApi, partitionId: string, signal: AbortSignal): Promise<{ error?: unknown; note?: string }> {
  let settle: (r: { error?: unknown; note?: string }) => void = () => undefined;
  const answered = new Promise<{ error?: unknown; note?: string }>((resolve) => { settle = resolve; });
  const onAbort = (): void => settle({ error: signal.reason });
  signal.addEventListener('abort', onAbort, { once: true });
  const sub = api.subscribePartition(partitionId, {
    processEvents: async () => settle({}),
    processError: async (err) => {
      if (GROUP_EXISTS.has(azureErrorCode(err).code)) settle({ note: 'a reader with an owner level (Cloudbridge itself?) holds the partition' });
      else settle({ error: err });
    },
  }, { maxBatchSize: 1, maxWaitTimeMs: PROBE_WAIT_MS, startPosition: { offset: '@latest' } });
  try {
    return await answered;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await sub.close();
  }
}

export async function checkEventHubsConnection(c: ResolvedEventHubsConfig, api: EventHubsApi, signal: AbortSignal): Promise<CheckResult> {
  const checks: CheckResult['checks'] = [];
  const fail = (name: string, err: unknown, operation: string, partitionId?: string): CheckResult => {
    const error = translateEventHubsError(err, { host: c.host, keyName: c.keyName, eventHubName: c.eventHubName, consumerGroup: c.consumerGroup, operation, partitionId });
    checks.push({ name, ok: false, message: error.message });
    return { ok: false, checks, error: { code: error.code, message: error.message } };
  };
  try {
    let ids: string[];
    try {
      ids = await api.getPartitionIds(signal);
    } catch (err) {
      return fail('event hub', err, 'reading the event hub\'s properties');
    }
    checks.push({ name: 'event hub', ok: true, message: `event hub "${c.eventHubName}" at ${c.host} found with ${ids.length} partition(s); policy "${c.keyName ?? '?'}" accepted` });
    const last: string[] = [];
    for (const id of ids) {
      try {
        const p = await api.getPartitionProperties(id, signal);
        last.push(`${id}: ${p.isEmpty ? 'empty' : `last sequence number ${p.lastEnqueuedSequenceNumber}`}`);
      } catch (err) {
        return fail('partitions', err, 'reading partition properties', id);
      }
    }
    checks.push({ name: 'partitions', ok: true, message: last.join('; ') });
    const first = ids[0];
    if (first !== undefined) {
      const probe = await probeConsumerGroup(api, first, signal);
      if (probe.error) return fail('consumer group', probe.error, 'opening a receiver', first);
      checks.push({ name: 'consumer group', ok: true, message: `consumer group "${c.consumerGroup}": a receiver on partition ${first} was accepted and closed without consuming${probe.note ? ` (${probe.note})` : ''}; Send (for downlinks) is not tried` });
    }
    return { ok: true, checks };
  } finally {
    await api.close();
  }
}

import { sasAccessIntro } from '../azure-common/index.ts';

/** The explanatory sections of the generated `azure-event-hubs` docs page (docs/connectors/azure-event-hubs.md). */
export const EVENT_HUBS_GUIDE = `## How it reads

- **\`EventHubConsumerClient.subscribe\`** over all partitions, with the SDK's own load balancer
  (\`loadBalancing\`: balanced claims one partition per cycle until the shares are even; greedy its
  whole share at once). Its \`CheckpointStore\` is Cloudbridge's lease table: an ownership is a lease
  (the ETag is the lease's fencing token), a checkpoint the lease's position. Receivers open with
  owner level 0, so when a partition moves, the service disconnects its previous reader.
- **Batches**: each partition hands at most \`maxBatchSize\` events to the pipeline at once (waiting at
  most \`maxWaitTimeMs\` to fill one); up to 4 deliveries per partition are in flight, so the next
  receive overlaps the commit.
- **Checkpoints** (\`sequenceNumber@offset\` of the last event stored) are written in the same store
  transaction as the data, fenced by the lease token. \`startPosition\` applies only to a partition with
  no checkpoint.
- **A delivery that could not be stored** (database down) is never checkpointed past: the partition's
  reader waits for the pipeline's retry delay and stops its pump; the load balancer starts a new one
  at the committed checkpoint at its next cycle (ADR 013).
- **Ownership**: renewed every sixth of \`ownershipExpirationSeconds\` (at least every second, at most
  every 10 s: the balancing cycle). A killed instance's partitions are taken over once its ownership
  expires; a stopping instance commits what it read and releases its partitions (graceful hand-off).
  An instance whose partition was taken over stops reading it and can store nothing of it (fencing:
  its commits are refused with \`LEASE_LOST\`).

## Metadata

Every application property of the event under its own name (non-strings as JSON), then
\`eventHubName\`, \`partitionId\`, \`sequenceNumber\`, \`offset\`, \`enqueuedTime\` (ISO 8601),
\`partitionKey\`, \`messageId\`, \`correlationId\`, \`contentType\` when present, and the IoT Hub system
properties (\`iothub-connection-device-id\`, \`iothub-enqueuedtime\`, …) when the hub is an IoT Hub's
built-in endpoint, with \`deviceId\` for the device id. Cloudbridge's own names win over an application
property of the same name. Telemetry without \`ts\` is stored at the enqueued time.

## Exactly once

The checkpoint and the data are committed together or not at all, and only the holder of the
partition's lease can commit. A delivery carries its partition's checkpoint, so "stored" is exactly
"at or below the checkpoint": messages need no dedupe key (dedupe mode \`none\`), and a restart, a crash
or a takeover resumes right after what is stored. The sourceKey (\`partitionId/sequenceNumber\`) still
names an event in dead letters and debug events.

## Downlink

A downlink is sent to the same event hub (\`EventHubProducerClient\`): the encoded bytes as the body,
the encoder's metadata as application properties, \`metadata.partitionKey\` as the partition key,
\`messageId\`, \`correlationId\` and \`contentType\` as the event's own fields. The policy needs Send.
This is a stream, not a device command: see the pitfalls for IoT Hub cloud-to-device.

## Status and metrics

The integration status lists each partition (\`details.partitions\`): owner, state (reading here,
elsewhere, unowned), checkpoint and its sequence number, the last enqueued sequence number the
receiver reported (\`trackLastEnqueuedEventProperties\`), the lag in events and in ms, and counters
(events read, committed, rewinds); and the lease counters (claimed, lost). The Prometheus
\`cloudbridge_partition_*\` gauges and counters (\`_total\`) are read from the same rows.

## Compared with ThingsBoard's Event Hubs integration

ThingsBoard checkpoints every event as it is received, in memory by default (a restart re-reads from
the start position, or loses what arrived while it was down with \`latest\`), and passes no application
properties to the converter. Cloudbridge keeps checkpoints with the data in its database, passes
every property, and splits the partitions between instances.

${sasAccessIntro('Azure Event Hubs Data Receiver')} The least a policy can have:

| Right | For |
|---|---|
| Listen | reading the partitions, the hub's and partitions' properties |
| Send | downlinks only (sent to the same event hub) |
| Manage | never needed |

Create the policy on the event hub itself (Event hub → Settings → Shared access policies → Add,
tick Listen) rather than on the namespace, so the key opens only that hub; its connection string
ends in \`;EntityPath=<hub>\`. Give Cloudbridge its own consumer group.
`;

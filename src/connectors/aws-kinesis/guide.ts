/** The explanatory sections of the generated `aws-kinesis` docs page (docs/connectors/aws-kinesis.md). */
export const KINESIS_GUIDE = `## How it reads

- **One reader per shard** this instance owns: GetShardIterator at the shard's checkpoint, then
  GetRecords at most once per \`pollIntervalMs\`, and the records handed to the pipeline in order
  (at most 1000 messages per delivery). The GetRecords Limit starts at 1000 and doubles while the
  answers come back full, up to \`maxRecords\`: a backlog is read in large calls, but the first
  records of a burst reach the pipeline without waiting for 10,000 to be fetched. Kinesis allows 5 GetRecords calls and
  2 MB per second per shard, shared by every consumer of the stream: on
  ProvisionedThroughputExceeded the reader backs off (1 s, doubling to 30 s), counts it per shard
  and warns (\`KINESIS_THROTTLED\`, at most once a minute).
- **Checkpoints** are written in the same store transaction as the data of the records they cover
  (the lease token is checked there too). A checkpoint is the sequence number of the last record
  stored, or \`sequence/sub\` inside a KPL aggregate; a restarted or new owner resumes right after
  it (AFTER_SEQUENCE_NUMBER, or AT_SEQUENCE_NUMBER skipping the user records already stored).
  \`initialPosition\` applies only to a shard that has no checkpoint yet; with LATEST, the shards
  closed before the first start (the history of earlier reshards) are not read at all.
- **A delivery that could not be stored** (database down) is not acknowledged: the reader rewinds
  to the committed checkpoint and reads again after the pipeline's retry delay. An iterator that
  expired meanwhile (they last 5 minutes) is replaced by one right after the last record read,
  never by one at an old position.
- **Resharding.** The shard list is read every \`shardSyncIntervalSeconds\` and whenever a shard
  ends. A child of a split or merge is read (from its start) only once every parent is read to its
  end and its checkpoint is \`SHARD_END\`: the records of one partition key are stored in the order
  they were put, across the reshard. A finished shard's lease is removed once all its children have
  started. A parent whose records aged out of the stream before it was read is skipped with a
  \`KINESIS_SHARD_EXPIRED\` warning.
- **KPL aggregation.** A record that starts with the KPL magic (F3 89 9A C2) and whose MD5 matches is
  split into its user records: one message each, with its own partition key,
  \`subSequenceNumber\` (0, 1, …), \`aggregated: "true"\` and sourceKey \`shardId/sequenceNumber/sub\`.
  A record failing the check is passed on as it is.

## Several instances

Instances of Cloudbridge that share one database (PostgreSQL) and run the same integration split
the shards: each shard has a lease (owner, expiry, fencing token) in the database.

- Each instance renews its leases every third of \`leaseDurationSeconds\`, on a timer that never
  waits for the pipeline, and aims at its fair share, ceil(readable shards / live instances): it
  claims free or expired leases first and otherwise takes one lease per cycle from the instance that
  owns the most, when that one owns at least two more.
- **A killed instance's shards** are taken over when its leases expire: the others check right at
  the expiry they last saw, so within \`leaseDurationSeconds\` of the last renewal.
- **Stopping hands the shards off gracefully:** the readers stop fetching, their deliveries are
  committed with their checkpoints, then the leases are released and another instance claims them
  at once.
- **Fencing.** Every claim raises the lease's token, and a commit carrying a checkpoint with an old
  token is rolled back as a whole (\`LEASE_LOST\`). An instance that froze past its lease (a long GC
  pause, SIGSTOP, a VM migration) stores nothing when it resumes: its renewal is refused and its
  readers stop.

## Exactly once

The checkpoint and the data are committed together or not at all, and only the lease holder can
commit: a record is never read again below what is stored, whoever reads next. A delivery carries
its shard's checkpoint and is never split across commits, and when one delivery is rejected every
later one is too (ordered settlement), so the checkpoint never passes a record that was not stored.
That is why Kinesis messages need no dedupe key (dedupe mode \`none\`): "stored" is exactly "at or
below the checkpoint". The sourceKey (\`shardId/sequenceNumber\`, \`/sub\` for user records of an
aggregate) still names the record in dead letters and debug events.

Up to 4 deliveries of at most 1000 messages per shard are in the pipeline at once, so the next
GetRecords overlaps the commit of the previous answer.

## Status and metrics

The integration status lists each shard (\`details.partitions\`) with its owner, state (reading here,
elsewhere, waiting for its parents, unowned, finished), checkpoint, \`millisBehindLatest\`, parents
and counters (records read, messages committed, throttled calls, expired iterators, rewinds), and
the lease counters (claimed, stolen, lost, released). Prometheus, per shard:
\`cloudbridge_partition_info{owner,state}\`, \`cloudbridge_partition_read_here\`,
\`cloudbridge_partition_lag_seconds\` (MillisBehindLatest), \`cloudbridge_partition_committed_total\`,
\`cloudbridge_partition_throttled_total\`.

## Compared with ThingsBoard's Kinesis integration

ThingsBoard PE reads Kinesis with the KCL and checkpoints only at the end of a shard and on a
graceful shutdown. After a crash it reads each shard again from its last checkpoint, so everything
since the last reshard or graceful stop is stored twice, or, with LATEST and no checkpoint yet, it
skips what was put while it was down; \`AT_TIMESTAMP\` is offered but has no timestamp field.
Cloudbridge checkpoints with every commit (a crash re-reads nothing that was stored and skips
nothing), fences frozen owners, keeps the order per partition key across a reshard, keeps no lease
table in DynamoDB (no DynamoDB or CloudWatch permission or cost: the leases live in its own
database), de-aggregates KPL records and supports AT_TIMESTAMP.

## Not offered

- **Enhanced fan-out** (SubscribeToShard, a dedicated 2 MB/s per shard and consumer over HTTP/2):
  not offered; Cloudbridge polls GetRecords. Give each application its own stream or keep the number
  of consumers per stream low.
- Reading streams of another account by ARN (requests name the stream).

## Least-privilege policy

An IAM policy for the user or role whose credentials the integration uses (stream
\`iot-telemetry\`, downlink stream \`iot-commands\`, region \`eu-west-1\`, account \`123456789012\`).
The connector calls DescribeStreamSummary, ListShards, GetShardIterator and GetRecords on the
stream and PutRecord on the downlink stream. Shard leases and checkpoints are kept in Cloudbridge's
own database, so **no DynamoDB table or permission** is needed (unlike the KCL):

\`\`\`json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "CloudbridgeUplink",
      "Effect": "Allow",
      "Action": ["kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"],
      "Resource": "arn:aws:kinesis:eu-west-1:123456789012:stream/iot-telemetry"
    },
    {
      "Sid": "CloudbridgeDownlink",
      "Effect": "Allow",
      "Action": "kinesis:PutRecord",
      "Resource": "arn:aws:kinesis:eu-west-1:123456789012:stream/iot-commands"
    }
  ]
}
\`\`\`

A stream encrypted with a customer-managed KMS key also needs \`kms:Decrypt\` on that key (and
\`kms:GenerateDataKey\` for the downlink stream); the AWS-managed key \`aws/kinesis\` needs nothing.
`;

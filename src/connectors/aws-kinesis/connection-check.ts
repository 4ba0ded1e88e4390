/**
 * "Check connection" for `aws-kinesis`: DescribeStreamSummary and ListShards on the stream (and
 * DescribeStreamSummary on the downlink stream), then GetShardIterator on one open shard, which
 * proves credentials, region, endpoint, that the stream exists and the read permissions, without
 * reading a record (GetRecords would use up part of the shard's read limit shared by every
 * consumer) and without touching the leases or checkpoints.
 */
import type { CheckResult } from '../../core/connector.ts';
import type { ResolvedKinesisConfig } from './config-spec.ts';
import type { KinesisApi, StreamSummary } from './kinesis-api.ts';
import { isCredentialsError, translateKinesisError } from './kinesis-errors.ts';

function describeSummary(s: StreamSummary): string {
  const parts = [`status ${s.status}`];
  if (s.streamMode) parts.push(s.streamMode === 'ON_DEMAND' ? 'on-demand capacity' : 'provisioned capacity');
  if (s.openShardCount !== undefined) parts.push(`${s.openShardCount} open shard(s)`);
  if (s.retentionPeriodHours !== undefined) parts.push(`records kept ${s.retentionPeriodHours} h`);
  parts.push(s.encryptionType === 'KMS' ? `encrypted with KMS key ${s.keyId ?? '?'} (kms:Decrypt needed)` : 'not encrypted');
  if (s.consumerCount) parts.push(`${s.consumerCount} enhanced fan-out consumer(s)`);
  return `stream "${s.streamName}" found: ${parts.join(', ')}`;
}

export async function checkKinesisConnection(c: ResolvedKinesisConfig, api: KinesisApi, signal: AbortSignal): Promise<CheckResult> {
  const checks: CheckResult['checks'] = [];
  const fail = async (name: string, err: unknown, operation: string, streamName = c.streamName, streamField = 'streamName'): Promise<CheckResult> => {
    const credentials = isCredentialsError(err) ? await api.describeCredentials() : undefined;
    const error = translateKinesisError(err, { operation, streamName, streamField, region: c.region, endpoint: c.endpoint, credentials });
    checks.push({ name, ok: false, message: error.message });
    return { ok: false, checks, error: { code: error.code, message: error.message } };
  };
  try {
    let summary: StreamSummary;
    try {
      summary = await api.describeStreamSummary(c.streamName, signal);
    } catch (err) {
      return await fail('stream', err, 'DescribeStreamSummary');
    }
    checks.push({ name: 'credentials', ok: true, message: `accepted: ${await api.describeCredentials()}` });
    checks.push({ name: 'stream', ok: summary.status === 'ACTIVE' || summary.status === 'UPDATING', message: describeSummary(summary) });
    let open: string | undefined;
    try {
      const shards = await api.listShards(c.streamName, signal);
      const openShards = shards.filter((s) => s.endingSequenceNumber === undefined);
      open = openShards[0]?.shardId;
      checks.push({ name: 'shards', ok: true, message: `${shards.length} shard(s) listed, ${openShards.length} open` });
    } catch (err) {
      return await fail('shards', err, 'ListShards');
    }
    if (open) {
      try {
        await api.getShardIterator(c.streamName, open, { type: 'LATEST' }, signal);
        checks.push({ name: 'read', ok: true, message: `GetShardIterator allowed on ${open}; GetRecords not tried (it would use part of the shard's read limit shared by every consumer): a missing kinesis:GetRecords or kms:Decrypt permission shows in the integration status once it runs` });
      } catch (err) {
        return await fail('read', err, 'GetShardIterator');
      }
    }
    if (c.downlinkStreamName) {
      try {
        const down = await api.describeStreamSummary(c.downlinkStreamName, signal);
        checks.push({ name: 'downlink stream', ok: true, message: `${describeSummary(down)}; PutRecord not tried (it would put a record): grant kinesis:PutRecord on it` });
      } catch (err) {
        return await fail('downlink stream', err, 'DescribeStreamSummary', c.downlinkStreamName, 'downlinkStreamName');
      }
    }
    const failed = checks.find((ch) => !ch.ok);
    return failed
      ? { ok: false, checks, error: { code: 'CONNECTION_FAILED', message: `stream "${c.streamName}" is not active yet: ${failed.message}` } }
      : { ok: true, checks };
  } finally {
    api.destroy();
  }
}

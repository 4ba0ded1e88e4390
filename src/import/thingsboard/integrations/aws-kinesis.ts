/**
 * AWS_KINESIS → aws-kinesis. ThingsBoard runs KCL (leases and checkpoints in DynamoDB);
 * Cloudbridge keeps shard leases and checkpoints in its own database, committed with the data, so
 * nothing of the KCL state carries over: reading starts at initialPosition.
 */
import { putSecret, typeMapping } from './common.ts';

const POSITIONS = new Set(['LATEST', 'TRIM_HORIZON']);

export const awsKinesis = typeMapping('AWS_KINESIS', 'aws-kinesis', (top, ctx) => {
  const cc = top.child('clientConfiguration');
  const config: Record<string, unknown> = {};
  const stream = cc.str('streamName');
  if (stream) config.streamName = stream;
  const region = cc.str('region');
  if (region) config.region = region;
  if (cc.bool('useCredentialsFromInstanceMetadata')) {
    ctx.warnings.push(`${ctx.entity}: ThingsBoard used the EC2 instance credentials; Cloudbridge uses the AWS SDK default provider chain (environment, web identity, ECS/EC2 instance role, shared files), so no key is written`);
    cc.raw('accessKeyId');
    cc.raw('secretAccessKey');
  } else {
    putSecret(config, 'accessKeyId', ctx, 'AWS access key id (accessKeyId of the ThingsBoard export)', cc.str('accessKeyId'));
    putSecret(config, 'secretAccessKey', ctx, 'AWS secret access key (secretAccessKey of the ThingsBoard export)', cc.str('secretAccessKey'));
  }
  const app = cc.str('applicationName');
  if (app) config.applicationName = app;
  const position = cc.str('initialPositionInStream');
  if (position && POSITIONS.has(position)) config.initialPosition = position;
  else if (position) ctx.unmapped.push({ entity: ctx.entity, field: 'configuration.clientConfiguration.initialPositionInStream', reason: `${position} needs a time, which ThingsBoard does not store: LATEST is used; set initialPosition AT_TIMESTAMP with initialTimestamp to start at a time` });
  const maxRecords = cc.num('maxRecords');
  if (maxRecords !== undefined) config.maxRecords = Math.min(10_000, Math.max(1, Math.round(maxRecords)));
  cc.drop('useConsumersWithEnhancedFanOut', 'Cloudbridge reads shards with GetRecords (shared throughput, pollIntervalMs); enhanced fan-out is not offered');
  cc.drop('requestTimeout', 'Cloudbridge\'s GetRecords calls use the SDK\'s timeouts and retries');
  if (ctx.hasDownlink) ctx.unmapped.push({ entity: ctx.entity, field: 'downlinkConverterId', reason: 'ThingsBoard puts each downlink to the stream named by the encoder\'s metadata.streamName; Cloudbridge puts downlinks to config.downlinkStreamName (partition key from metadata.partitionKey): set downlinkStreamName' });
  cc.rest();
  ctx.warnings.push(`${ctx.entity}: ThingsBoard's KCL checkpoints (DynamoDB) are not carried over: Cloudbridge starts every shard at initialPosition (${String(config.initialPosition ?? 'LATEST')})`);
  return { config, keepDownlink: true };
});

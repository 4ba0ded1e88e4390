/**
 * AWS_SQS → aws-sqs. ThingsBoard short-polls every pollingPeriodSeconds and parses every body as
 * JSON (unescaping a JSON string body); Cloudbridge long-polls and hands the body to the converter
 * as it is.
 */
import { putSecret, typeMapping } from './common.ts';

export const awsSqs = typeMapping('AWS_SQS', 'aws-sqs', (top, ctx) => {
  const sc = top.child('sqsConfiguration');
  const config: Record<string, unknown> = { queueUrl: sc.str('queueUrl') ?? '' };
  const region = sc.str('region');
  if (region) config.region = region;
  putSecret(config, 'accessKeyId', ctx, 'AWS access key id (accessKeyId of the ThingsBoard export)', sc.str('accessKeyId'));
  putSecret(config, 'secretAccessKey', ctx, 'AWS secret access key (secretAccessKey of the ThingsBoard export)', sc.str('secretAccessKey'));
  sc.drop('pollingPeriodSeconds', 'Cloudbridge long-polls (waitTimeSeconds, default 20 s): messages are received as soon as they arrive, with no polling period');
  sc.rest();
  ctx.warnings.push(`${ctx.entity}: ThingsBoard parsed each SQS body as JSON (a body that is a JSON string was unescaped); Cloudbridge gives the converter the body as sent, so a decoder written for a string-wrapped JSON body must parse it twice`);
  if (ctx.hasDownlink) ctx.unmapped.push({ entity: ctx.entity, field: 'downlinkConverterId', reason: 'ThingsBoard has no SQS downlink; Cloudbridge sends downlinks to config.downlinkQueueUrl: set it and the downlinkConverter to use one' });
  return { config, keepDownlink: false };
});

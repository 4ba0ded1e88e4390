/**
 * "Check connection" for `aws-sqs`: GetQueueAttributes on the queue (and on the downlink queue),
 * which proves credentials, region, endpoint and that the queue exists, without receiving: a
 * test receive would raise ApproximateReceiveCount and could push messages to the dead-letter
 * queue.
 */
import type { CheckResult } from '../../core/connector.ts';
import type { ResolvedSqsConfig } from './config-spec.ts';
import { parseRedrivePolicy } from './queue-info.ts';
import { parseQueueUrl } from './queue-url.ts';
import type { SqsApi } from './sqs-api.ts';
import { isCredentialsError, translateSqsError } from './sqs-errors.ts';

function describeAttributes(name: string, a: Record<string, string>): string {
  const parts = [a.FifoQueue === 'true' ? 'FIFO' : 'standard', `visibility timeout ${a.VisibilityTimeout ?? '?'} s`];
  if (a.ApproximateNumberOfMessages !== undefined) parts.push(`about ${a.ApproximateNumberOfMessages} messages waiting`);
  const redrive = parseRedrivePolicy(a.RedrivePolicy);
  parts.push(redrive
    ? `dead-letter queue ${redrive.deadLetterTargetArn.split(':').at(-1) ?? redrive.deadLetterTargetArn} after ${redrive.maxReceiveCount} receives`
    : 'no redrive policy (messages that keep failing are retried until the retention period ends)');
  return `queue "${name}" found: ${parts.join(', ')}`;
}

export async function checkSqsConnection(c: ResolvedSqsConfig, api: SqsApi, signal: AbortSignal): Promise<CheckResult> {
  const checks: CheckResult['checks'] = [];
  const targets: Array<{ name: string; url: string; field: string }> = [{ name: 'queue', url: c.queueUrl, field: 'queueUrl' }];
  if (c.downlinkQueueUrl) targets.push({ name: 'downlink queue', url: c.downlinkQueueUrl, field: 'downlinkQueueUrl' });
  try {
    for (const t of targets) {
      let attributes: Record<string, string>;
      try {
        attributes = await api.getQueueAttributes(t.url, signal);
      } catch (err) {
        const credentials = isCredentialsError(err) ? await api.describeCredentials() : undefined;
        const error = translateSqsError(err, { operation: 'GetQueueAttributes', queueUrl: t.url, queueField: t.field, region: c.region, endpoint: c.endpoint, credentials });
        checks.push({ name: t.name, ok: false, message: error.message });
        return { ok: false, checks, error: { code: error.code, message: error.message } };
      }
      if (checks.length === 0) checks.push({ name: 'credentials', ok: true, message: `accepted: ${await api.describeCredentials()}` });
      checks.push({ name: t.name, ok: true, message: describeAttributes(parseQueueUrl(t.url).name, attributes) });
    }
    checks.push({ name: 'receive', ok: true, message: 'not tried: a test receive would count as a delivery attempt; a missing sqs:ReceiveMessage, sqs:DeleteMessage or sqs:ChangeMessageVisibility permission shows in the integration status once it runs' });
    return { ok: true, checks };
  } finally {
    api.destroy();
  }
}

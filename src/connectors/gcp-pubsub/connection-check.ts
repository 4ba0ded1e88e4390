/**
 * "Check connection" for `gcp-pubsub`: GetSubscription (proves credentials, endpoint, project and
 * that the subscription exists), testIamPermissions for what the integration will do (consume;
 * publish on the downlink topic), and GetTopic on the downlink topic. Nothing is pulled: a test
 * pull would take messages from the integration and count as a delivery attempt.
 */
import type { CheckResult } from '../../core/connector.ts';
import { CloudbridgeError } from '../../core/errors.ts';
import type { ResolvedPubSubConfig } from './config-spec.ts';
import type { PubSubApi, SubscriptionInfo } from './pubsub-api.ts';
import { translatePubSubError, type PubSubErrorContext } from './pubsub-errors.ts';

type Checks = CheckResult['checks'];

function describeSubscription(path: string, s: SubscriptionInfo): string {
  const parts = [`topic ${s.topic}`, `ack deadline ${s.ackDeadlineSeconds} s`,
    s.enableMessageOrdering ? 'message ordering on' : 'message ordering off (ordering keys are not kept)',
    s.enableExactlyOnceDelivery ? 'exactly-once delivery on' : 'at-least-once delivery'];
  parts.push(s.deadLetter ? `dead-letter topic ${s.deadLetter.topic} after ${s.deadLetter.maxDeliveryAttempts} attempts` : 'no dead-letter policy');
  if (s.filter) parts.push(`filter ${s.filter}`);
  return `subscription ${path} found: ${parts.join(', ')}`;
}

async function permissionCheck(
  api: PubSubApi, resource: { subscription: string } | { topic: string }, permission: string, role: string, signal: AbortSignal,
): Promise<{ ok: boolean; message: string }> {
  const granted = await api.testPermissions(resource, [permission], signal);
  if (granted === null) return { ok: true, message: `${permission} not checked: the server does not implement testIamPermissions (the emulator has no IAM)` };
  if (granted.includes(permission)) return { ok: true, message: `${api.describeCredentials()} holds ${permission}` };
  return { ok: false, message: `${api.describeCredentials()} lacks ${permission}: grant it ${role}` };
}

export async function checkPubSubConnection(c: ResolvedPubSubConfig, api: PubSubApi, signal: AbortSignal): Promise<CheckResult> {
  const checks: Checks = [];
  const errorContext = (operation: string, topic: boolean): PubSubErrorContext => ({
    operation,
    resource: topic ? c.downlinkTopic?.path ?? '' : c.subscription.path,
    resourceKind: topic ? 'topic' : 'subscription',
    field: topic ? 'downlinkTopic' : 'subscription',
    projectId: c.projectId,
    credentials: api.describeCredentials(),
    endpoint: c.apiEndpoint,
  });
  const fail = (name: string, error: CloudbridgeError): CheckResult => {
    checks.push({ name, ok: false, message: error.message });
    return { ok: false, checks, error: { code: error.code, message: error.message } };
  };
  try {
    let info: SubscriptionInfo;
    try {
      info = await api.getSubscription(c.subscription.path, signal);
    } catch (err) {
      return fail('subscription', translatePubSubError(err, errorContext('GetSubscription', false)));
    }
    checks.push({ name: 'credentials', ok: true, message: `accepted: ${api.describeCredentials()}` });
    if (info.push) {
      return fail('subscription', new CloudbridgeError('CONFIG_INVALID', `subscription ${c.subscription.path} is a push subscription: Cloudbridge pulls. Use a pull subscription.`, { field: 'subscription' }));
    }
    checks.push({ name: 'subscription', ok: true, message: describeSubscription(c.subscription.path, info) });
    try {
      const consume = await permissionCheck(api, { subscription: c.subscription.path }, 'pubsub.subscriptions.consume', 'roles/pubsub.subscriber on the subscription', signal);
      if (!consume.ok) return fail('permissions', new CloudbridgeError('PERMISSION_DENIED', consume.message, { field: 'subscription' }));
      checks.push({ name: 'permissions', ok: true, message: consume.message });
    } catch (err) {
      return fail('permissions', translatePubSubError(err, errorContext('TestIamPermissions', false)));
    }
    if (c.downlinkTopic) {
      try {
        await api.getTopic(c.downlinkTopic.path, signal);
        const publish = await permissionCheck(api, { topic: c.downlinkTopic.path }, 'pubsub.topics.publish', 'roles/pubsub.publisher on the topic', signal);
        if (!publish.ok) return fail('downlink topic', new CloudbridgeError('PERMISSION_DENIED', publish.message, { field: 'downlinkTopic' }));
        checks.push({ name: 'downlink topic', ok: true, message: `topic ${c.downlinkTopic.path} found; ${publish.message}` });
      } catch (err) {
        return fail('downlink topic', translatePubSubError(err, errorContext('GetTopic', true)));
      }
    }
    checks.push({ name: 'pull', ok: true, message: 'not tried: a test pull would take messages from the integration; a streaming pull failure shows in the integration status once it runs' });
    return { ok: true, checks };
  } finally {
    await api.close().catch(() => undefined);
  }
}

/**
 * The IoT Hub double made as strict as IoT Hub: cloud-to-device expiry honoured when it passes
 * (with `Expired` feedback when `iothub-ack` asks for it), the feedback queue's lock, redelivery,
 * maximum delivery count and time to live, and azure-iothub 1.16's hang when `expiryTimeUtc` is a
 * `Date` (the reason the connector sets it in milliseconds).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Client as IotClient } from 'azure-iothub';
import type { Message as IotMessage } from 'azure-iothub/dist/common-core/message.js';
import rhea from 'rhea';
import type { Connection, EventContext, Receiver as RheaReceiver } from 'rhea';
import { createSasToken, startAzureDouble } from './index.ts';
import type { AzureDouble, FeedbackRecord } from './index.ts';
import { waitFor } from '../../support/wait.ts';

const requireCjs = createRequire(import.meta.url);
const { Client } = requireCjs('azure-iothub') as { Client: typeof IotClient };
const { Message } = requireCjs('azure-iothub/dist/common-core/message.js') as { Message: typeof IotMessage };

const run = promisify(execFile);
let double: AzureDouble;
let client: IotClient;

before(async () => {
  double = await startAzureDouble({
    iotHub: { name: 'strict-hub', devices: ['exp', 'fb', 'hang'], feedback: { lockDurationMs: 150, maxDeliveryCount: 3, ttlMs: 1500 } },
  });
  client = Client.fromConnectionString(double.iotHub?.connectionString() ?? '');
  await client.open();
});

after(async () => {
  await client.close();
  await double.stop();
});

function message(text: string, messageId: string, expiryTimeUtc?: number | Date): IotMessage {
  const m = new Message(text);
  m.ack = 'full';
  m.messageId = messageId;
  if (expiryTimeUtc !== undefined) m.expiryTimeUtc = expiryTimeUtc;
  return m;
}

/** A feedback receiver that settles deliveries itself (rhea, SASL PLAIN with a SAS token as IoT Hub takes it). */
function rawFeedbackReceiver(): { conn: Connection; receiver: RheaReceiver } {
  const iot = double.iotHub;
  const key = double.topology.iotHub?.keys[0];
  assert.ok(iot !== undefined && key !== undefined);
  const host = /HostName=([^;]+)/.exec(iot.connectionString())?.[1] ?? '';
  const token = createSasToken(host, key.name, key.key, Math.floor(Date.now() / 1000) + 300, 'base64-key');
  const conn = rhea.create_container().connect({
    host: host.split(':')[0], port: iot.port, transport: 'tls', reconnect: false, username: `${key.name}@sas.root.${iot.name}`, password: token,
  });
  conn.on('disconnected', () => undefined);
  const receiver = conn.open_receiver({ source: { address: '/messages/serviceBound/feedback' }, autoaccept: false, credit_window: 10 });
  return { conn, receiver };
}

function records(ctx: EventContext): FeedbackRecord[] {
  const body = ctx.message?.body as { content?: Buffer } | undefined;
  return JSON.parse(Buffer.from(body?.content ?? []).toString('utf8')) as FeedbackRecord[];
}

describe('IoT Hub double: expiry and the feedback queue', () => {
  it('removes a queued message when its expiry (epoch ms) passes and sends Expired feedback', async () => {
    await client.send('exp', message('soon', 'exp-1', Date.now() + 300));
    await client.send('exp', message('later', 'exp-2', Date.now() + 600_000));
    assert.deepEqual(double.hooks.iotHub.c2dQueue('exp').map((q) => q.messageId), ['exp-1', 'exp-2']);
    const { conn, receiver } = rawFeedbackReceiver();
    const seen: FeedbackRecord[] = [];
    receiver.on('message', (ctx: EventContext) => {
      seen.push(...records(ctx));
      ctx.delivery?.accept();
    });
    // Nobody touches the queue: the expiry alone produces the feedback.
    await waitFor(() => seen.length === 1);
    assert.deepEqual(seen.map((r) => [r.originalMessageId, r.deviceId, r.statusCode, r.description]), [['exp-1', 'exp', 'Expired', 'Message expired']]);
    assert.deepEqual(double.hooks.iotHub.c2dQueue('exp').map((q) => q.messageId), ['exp-2']);
    conn.close();
  });

  // azure-iothub's service client accepts feedback on receipt (its AMQP base runs with autoaccept),
  // so the queue's lock is shown with a receiver that settles on its own, as IoT Hub's other clients do.
  it('redelivers an unsettled feedback message when its lock expires, and an abandoned one at once, until the max delivery count', async () => {
    await client.send('fb', message('x', 'fb-1'));
    double.hooks.iotHub.completeC2d('fb', 'Rejected', { messageId: 'fb-1' });
    const { conn, receiver } = rawFeedbackReceiver();
    const deliveries: { id: string; count: number | undefined }[] = [];
    receiver.on('message', (ctx: EventContext) => {
      const recs = records(ctx);
      deliveries.push({ id: recs[0]?.originalMessageId ?? '?', count: ctx.message?.delivery_count ?? 0 });
      // 1st delivery: left unsettled (the lock expires); 2nd: abandoned (released); 3rd: left again → dropped.
      if (deliveries.length === 2) ctx.delivery?.release();
    });
    await waitFor(() => double.hooks.iotHub.feedbackQueue().dropped === 1);
    assert.deepEqual(deliveries, [{ id: 'fb-1', count: 0 }, { id: 'fb-1', count: 1 }, { id: 'fb-1', count: 2 }]);
    assert.equal(double.hooks.iotHub.feedbackQueue().pending, 0);
    conn.close();
  });

  it('drops feedback older than the queue time to live, and an accepted message is gone for good', async () => {
    await client.send('fb', message('y', 'fb-2'));
    await client.send('fb', message('z', 'fb-3'));
    double.hooks.iotHub.completeC2d('fb', 'Success', { messageId: 'fb-2' });
    await waitFor(() => double.hooks.iotHub.feedbackQueue().pending === 0 && double.hooks.iotHub.feedbackQueue().dropped === 2);
    double.hooks.iotHub.completeC2d('fb', 'Success', { messageId: 'fb-3' });
    const { conn, receiver } = rawFeedbackReceiver();
    const ids: string[] = [];
    receiver.on('message', (ctx: EventContext) => {
      ids.push(...records(ctx).map((r) => r.originalMessageId));
      ctx.delivery?.accept();
    });
    await waitFor(() => ids.length === 1);
    conn.close();
    assert.deepEqual(ids, ['fb-3']);
    assert.equal(double.hooks.iotHub.feedbackQueue().pending, 0);
  });

  it('azure-iothub 1.16 with expiryTimeUtc as a Date: the first send never settles, a later one rejects (its AMQP encoder throws); epoch ms works', async () => {
    const { stdout } = await run(process.execPath, [fileURLToPath(new URL('./iot-hub/date-expiry-probe.ts', import.meta.url))], {
      env: { ...process.env, IOT_CS: double.iotHub?.connectionString() ?? '', DEVICE: 'hang', NODE_EXTRA_CA_CERTS: double.certificate.certPath },
      timeout: 60_000,
    });
    const probe = JSON.parse(/PROBE=(.*)/.exec(stdout)?.[1] ?? '{}') as { firstSettled?: boolean; laterError?: string };
    assert.deepEqual(probe, { firstSettled: false, laterError: 'TypeError' });
    const queued = double.hooks.iotHub.c2dQueue('hang');
    assert.deepEqual(queued.map((q) => q.messageId), ['ms-1', 'ms-2']);
    assert.ok((queued[0]?.expiresAt.getTime() ?? 0) > Date.now() + 30_000, 'the expiry in ms is honoured');
  });
});

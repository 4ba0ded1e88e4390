/**
 * Where the double was kinder than Azure (issue 10), now strict, each through the unmodified SDK or a
 * raw AMQP client: a receiver starting past the end of a partition is refused as Azure refuses it;
 * a link lives only while a token covers it (renewed: survives; not renewed: detached with
 * `amqp:unauthorized-access`); a client granting more credit than a session holds unsettled
 * (the SDK's prefetch) gets every event, the session never wedges.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventHubConsumerClient, type MessagingError, type Subscription } from '@azure/event-hubs';
import rhea from 'rhea';
import type { Connection, EventContext } from 'rhea';
import { createSasToken, startAzureDouble, type AzureDouble } from './index.ts';

let double: AzureDouble;
before(async () => {
  double = await startAzureDouble({ eventHubs: { hubs: [{ name: 'strict', partitions: 2, consumerGroups: ['cg1'] }, { name: 'bulk', partitions: 1 }] } });
});
after(async () => { await double.stop(); });

/** The first error the SDK reports for a single-partition subscription starting at `position`. */
async function firstError(position: { sequenceNumber: number; isInclusive?: boolean } | { offset: string; isInclusive?: boolean }): Promise<MessagingError> {
  const client = new EventHubConsumerClient('cg1', double.eventHubs.connectionString('strict'), { retryOptions: { maxRetries: 0 } });
  let sub: Subscription | undefined;
  try {
    return await new Promise<MessagingError>((resolve) => {
      sub = client.subscribe('0', { processEvents: async () => undefined, processError: async (err) => resolve(err as MessagingError) }, { startPosition: position, maxWaitTimeInSeconds: 0.2 });
    });
  } finally {
    await sub?.close();
    await client.close();
  }
}

describe('Event Hubs: a start past the end of the partition is refused as Azure refuses it', () => {
  before(() => { double.hooks.eventHubs.publish('strict', [{ body: Buffer.from('a') }, { body: Buffer.from('bb') }], { partitionId: '0' }); });

  it('a sequence number past the last: com.microsoft:argument-out-of-range (ArgumentOutOfRangeError) naming the last one', async () => {
    const err = await firstError({ sequenceNumber: 7 });
    assert.equal(err.code, 'ArgumentOutOfRangeError');
    assert.match(err.message, /^The supplied sequence number '7' is invalid\. The last sequence number in the system is '1'/);
    assert.equal((await firstError({ sequenceNumber: 3, isInclusive: true })).code, 'ArgumentOutOfRangeError');
  });

  it('an offset past the last: com.microsoft:argument-error naming the last offset', async () => {
    const last = double.hooks.eventHubs.partitionInfo('strict', '0').lastEnqueuedOffset;
    const err = await firstError({ offset: String(Number(last) + 100) });
    assert.equal(err.code, 'ArgumentError');
    assert.match(err.message, new RegExp(`^The supplied offset '${Number(last) + 100}' is invalid\\.  The last offset in the system is '${last}'`));
  });

  it('right after the last event (exclusive), or at it (inclusive), is accepted', async () => {
    const last = double.hooks.eventHubs.partitionInfo('strict', '0');
    for (const position of [{ sequenceNumber: 1 }, { sequenceNumber: 2, isInclusive: true }, { offset: last.lastEnqueuedOffset }, { offset: last.lastEnqueuedOffset, isInclusive: true }]) {
      const client = new EventHubConsumerClient('cg1', double.eventHubs.connectionString('strict'), { retryOptions: { maxRetries: 0 } });
      const outcome = await new Promise<string>((resolve) => {
        const sub = client.subscribe('0', {
          processEvents: async () => { resolve('ok'); },
          processError: async (err) => { resolve(`error: ${(err as MessagingError).code ?? ''}`); },
        }, { startPosition: position, maxWaitTimeInSeconds: 0.2 });
        void sub;
      });
      await client.close();
      assert.equal(outcome, 'ok', JSON.stringify(position));
    }
  });
});

/** A raw client with a `$cbs` token for `audience` valid `seconds` more; returns a function putting a fresh one. */
async function clientWithToken(seconds: number): Promise<{ conn: Connection; put(seconds: number): Promise<void> }> {
  const port = double.eventHubs.ports.plain ?? 0;
  const audience = `sb://localhost:${port}/strict`;
  const conn = rhea.create_container().connect({ host: 'localhost', port, reconnect: false });
  await new Promise<void>((resolve) => conn.once('connection_open', () => resolve()));
  const replies = conn.open_receiver({ name: 'cbs-replies', source: { address: '$cbs' } });
  const cbs = conn.open_sender('$cbs');
  let n = 0;
  const put = async (s: number): Promise<void> => {
    const status = new Promise<unknown>((resolve) => replies.once('message', (ctx: EventContext) => resolve(ctx.message?.application_properties?.['status-code'])));
    cbs.send({
      message_id: `put-${++n}`, reply_to: 'cbs-replies', body: createSasToken(audience, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', Math.floor(Date.now() / 1000) + s),
      application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience },
    });
    assert.equal(await status, 200);
  };
  await put(seconds);
  return { conn, put };
}

describe('a link lives only while a token covers it', () => {
  it('a link whose token is renewed before it expires survives; one whose token is not is detached with amqp:unauthorized-access', async () => {
    const renewed = await clientWithToken(2);
    const lapsed = await clientWithToken(2);
    const detached = (conn: Connection): Promise<{ condition?: string; description?: string }> =>
      new Promise((resolve) => conn.once('receiver_error', (ctx: EventContext) => resolve(ctx.receiver?.error as { condition?: string })));
    const lapsedError = detached(lapsed.conn);
    let renewedError: unknown = null;
    renewed.conn.once('receiver_error', (ctx: EventContext) => { renewedError = ctx.receiver?.error; });
    renewed.conn.open_receiver({ source: { address: 'strict/ConsumerGroups/$default/Partitions/1' } });
    lapsed.conn.open_receiver({ source: { address: 'strict/ConsumerGroups/$default/Partitions/1' } });
    await new Promise((r) => setTimeout(r, 800));
    await renewed.put(60);
    const error = await lapsedError;
    assert.equal(error.condition, 'amqp:unauthorized-access');
    assert.match(error.description ?? '', /token has expired/);
    // The renewed link outlived the first token by more than the double's check interval.
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(renewedError, null);
    assert.equal(double.hooks.eventHubs.consumers('strict').filter((c) => c.partitionId === '1').length, 1);
    for (const c of [renewed.conn, lapsed.conn]) {
      c.removeAllListeners('disconnected');
      c.close();
    }
  });
});

describe('a session holds at most 2048 unsettled deliveries', () => {
  it('10,000 events to one SDK receiver with a prefetch of 3000: all arrive, in order', async () => {
    double.hooks.eventHubs.publish('bulk', Array.from({ length: 10_000 }, (_, i) => ({ body: Buffer.from(String(i)) })), { partitionId: '0' });
    const client = new EventHubConsumerClient('$Default', double.eventHubs.connectionString('bulk'));
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      const sub = client.subscribe('0', {
        processEvents: async (events) => {
          for (const e of events) seen.push(e.sequenceNumber);
          if (seen.length >= 10_000) void sub.close().then(() => resolve());
        },
        processError: async () => undefined,
      }, { startPosition: { offset: '-1' }, maxBatchSize: 1000, maxWaitTimeInSeconds: 0.2 });
    });
    await client.close();
    assert.equal(seen.length, 10_000);
    assert.ok(seen.every((s, i) => s === i));
  });
});

/**
 * One connection per forwarder (ConnectionLease): the first instance takes the lease, the second
 * stands by naming the holder and takes over once the lease expired; a holder whose renewal fails
 * (store down, or the lease taken) stops at once (fencing); a clean stop hands over at once; with
 * a store no other instance can share (SQLite), a dead predecessor's lease is taken at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/logger.ts';
import { ConnectionLease } from '../../src/app/forwarder-lease.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { MemoryLeaseStore } from '../support/memory-leases.ts';

/** A lease store on a manual clock, and instances on it that log when they take and lose the lease. */
function setup() {
  const clock = new ManualClock();
  const leases = new MemoryLeaseStore(clock);
  const events: string[] = [];
  const instance = (owner: string, alone = false): ConnectionLease => new ConnectionLease({
    leases, owner, clock, log: silentLogger, alone,
    handlers: {
      acquired: async () => { events.push(`${owner} acquired`); },
      lost: async () => { events.push(`${owner} lost`); },
    },
  });
  return { clock, leases, events, instance };
}

test('the second instance stands by, and takes over only after the holder\'s lease expired', async () => {
  const { clock, leases, events, instance } = setup();
  const a = instance('a');
  const b = instance('b');
  await a.start();
  await b.start();
  assert.deepEqual(events, ['a acquired']);
  assert.equal(b.holder, 'a');
  assert.equal(b.isHeld, false);
  await clock.advance(30_000);
  assert.deepEqual(events, ['a acquired'], 'renewed every 5 s, a keeps it');
  leases.failWith = new Error('database unreachable');
  await clock.advance(5_000);
  assert.deepEqual(events, ['a acquired', 'a lost'], 'a failed renewal stops the holder at once');
  leases.failWith = null;
  await a.stop();
  await clock.advance(5_000);
  assert.deepEqual(events, ['a acquired', 'a lost'], 'not before the lease expired');
  await clock.advance(15_000);
  assert.deepEqual(events, ['a acquired', 'a lost', 'b acquired']);
  await b.stop();
});

test('a lease taken by another instance stops the holder at its next renewal', async () => {
  const { clock, leases, events, instance } = setup();
  const a = instance('a');
  await a.start();
  const current = (await leases.list())[0];
  assert.ok(current);
  await leases.claim('connection', 'intruder', current.token, 15_000);
  await clock.advance(5_000);
  assert.deepEqual(events, ['a acquired', 'a lost']);
  await a.stop();
});

test('a clean stop releases the lease: the standby takes it at its next check', async () => {
  const { clock, events, instance } = setup();
  const a = instance('a');
  const b = instance('b');
  await a.start();
  await b.start();
  await a.stop();
  await clock.advance(5_000);
  assert.deepEqual(events, ['a acquired', 'a lost', 'b acquired']);
  await b.stop();
});

test('alone (SQLite): a dead predecessor\'s unexpired lease is taken at once', async () => {
  const { leases, events, instance } = setup();
  await leases.ensure([{ partition: 'connection' }]);
  await leases.claim('connection', 'dead-process', 0, 15_000);
  const restarted = instance('restarted', true);
  await restarted.start();
  assert.deepEqual(events, ['restarted acquired']);
  await restarted.stop();
});

/**
 * Fair shares of the readable shard leases between the instances that read one stream (pure; the
 * source runs it on every lease cycle with a fresh list of leases).
 *
 * Live instances: the owners of unexpired leases, plus this one (an instance that owns nothing is
 * not visible to the others; it takes its share by claiming free leases or, failing that, one lease
 * of the most loaded instance per cycle). Each instance aims at ceil(readable / live):
 *   1. free leases first (never claimed, released, or expired: their owner died or froze), in
 *      random order so that instances starting together do not all reach for the same ones;
 *   2. else steal ONE lease from the most loaded instance, and only when that one owns at least two
 *      more than this one (so two instances never trade a lease back and forth).
 * A stolen lease is fenced: its former owner finds its renewal refused and stops, and whatever it
 * was still committing for the shard is rolled back (LEASE_LOST); the thief resumes at the
 * committed checkpoint.
 */
import type { PartitionLease } from '../../core/partitions.ts';

export interface BalanceInput {
  /** Readable leases (not finished, parents done), of this stream and application. */
  readable: readonly PartitionLease[];
  me: string;
  now: number;
  random?: () => number;
}

export interface BalanceDecision {
  /** Leases to claim, with the token they must still have. */
  claim: PartitionLease[];
  /** Why (for logs): `free`, `steal from <owner>` or nothing. */
  reason: string;
  target: number;
  liveInstances: number;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

export function isFree(lease: PartitionLease, now: number): boolean {
  return lease.owner === null || lease.expiresAt <= now;
}

export function balance(input: BalanceInput): BalanceDecision {
  const random = input.random ?? Math.random;
  const counts = new Map<string, number>();
  const free: PartitionLease[] = [];
  for (const lease of input.readable) {
    if (isFree(lease, input.now)) free.push(lease);
    else if (lease.owner !== null) counts.set(lease.owner, (counts.get(lease.owner) ?? 0) + 1);
  }
  const mine = counts.get(input.me) ?? 0;
  const live = new Set([...counts.keys(), input.me]).size;
  const target = Math.ceil(input.readable.length / live);
  if (mine >= target) return { claim: [], reason: '', target, liveInstances: live };
  if (free.length > 0) {
    return { claim: shuffled(free, random).slice(0, target - mine), reason: 'free', target, liveInstances: live };
  }
  let victim: string | null = null;
  let most = 0;
  for (const [owner, n] of counts) {
    if (owner !== input.me && n > most) {
      victim = owner;
      most = n;
    }
  }
  if (victim === null || most - mine < 2) return { claim: [], reason: '', target, liveInstances: live };
  const theirs = input.readable.filter((l) => l.owner === victim && !isFree(l, input.now));
  const pick = shuffled(theirs, random)[0];
  return { claim: pick ? [pick] : [], reason: `steal from ${victim}`, target, liveInstances: live };
}

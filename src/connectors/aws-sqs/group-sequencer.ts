/**
 * FIFO order per MessageGroupId: a received batch is delivered only after every earlier batch
 * sharing one of its groups has settled, and not at all when one of those failed (its messages
 * are released instead, so the group is redelivered from the failed message on, in order).
 * Batches of different groups run in parallel. SQS itself hands out a group's next messages only
 * after the previous ones were deleted, so waiting here is rare (after a message's visibility ran out).
 */
export type SequencedOutcome = 'done' | 'failed' | 'skipped';

export class GroupSequencer {
  private readonly tails = new Map<string, Promise<boolean>>();

  /** Groups with a batch running or waiting. */
  get activeGroups(): number {
    return this.tails.size;
  }

  /** `task` resolves true when its batch was committed. */
  run(groups: Iterable<string>, task: () => Promise<boolean>): Promise<SequencedOutcome> {
    const own = [...new Set(groups)];
    const prior = own.map((g) => this.tails.get(g)).filter((p): p is Promise<boolean> => p !== undefined);
    const outcome = Promise.all(prior).then(async (oks): Promise<SequencedOutcome> => {
      if (oks.some((ok) => !ok)) return 'skipped';
      return (await task()) ? 'done' : 'failed';
    });
    const ok = outcome.then((o) => o === 'done', () => false);
    for (const g of own) this.tails.set(g, ok);
    void ok.then(() => {
      for (const g of own) if (this.tails.get(g) === ok) this.tails.delete(g);
    });
    return outcome;
  }
}

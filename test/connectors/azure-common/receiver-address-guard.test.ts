/**
 * The guard against @azure/core-amqp's timer crash: a receiver whose link lost its source answers
 * `address` with undefined instead of throwing from a timer (src/connectors/azure-common/receiver-address-guard.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Receiver } from 'rhea-promise';
import { guardReceiverAddress } from '../../../src/connectors/azure-common/index.ts';

describe('receiver address guard', () => {
  it('a receiver whose link has no source any more answers address with undefined, and one with a source its address', () => {
    const receiverOn = (link: object): { address: string | undefined } => Object.assign(Object.create(Receiver.prototype) as { address: string | undefined }, { _link: link });
    const orphan = receiverOn({});
    const live = receiverOn({ source: { address: 'hub/ConsumerGroups/$Default/Partitions/0' } });
    guardReceiverAddress(Receiver);
    guardReceiverAddress(Receiver);
    assert.equal(orphan.address, undefined);
    assert.equal(live.address, 'hub/ConsumerGroups/$Default/Partitions/0');
  });

  it('without the guard, rhea-promise throws there (the crash it prevents)', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Receiver.prototype) as object, 'address');
    const orphan = Object.create(Receiver.prototype) as { _link: object };
    orphan._link = {};
    assert.throws(() => descriptor?.get?.call(orphan), TypeError);
  });
});

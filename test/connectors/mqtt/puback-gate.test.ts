import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PubackGate } from '../../../src/connectors/mqtt/puback-gate.ts';

function gate(): { gate: PubackGate; written: number[] } {
  const written: number[] = [];
  return { gate: new PubackGate((id) => written.push(id)), written };
}

describe('PubackGate', () => {
  it('writes PUBACKs in receive order, each once its message settled', () => {
    const { gate: g, written } = gate();
    const a = g.track(1);
    const b = g.track(2);
    const c = g.track(3);
    g.resolve(b);
    assert.deepEqual(written, [], 'b waits for a');
    g.resolve(a);
    assert.deepEqual(written, [1, 2]);
    assert.equal(g.pending, 1);
    g.resolve(c);
    assert.deepEqual(written, [1, 2, 3]);
    assert.equal(g.pending, 0);
    assert.equal(g.written, 3);
  });

  it('never acknowledges a rejected message nor anything after it', () => {
    const { gate: g, written } = gate();
    const a = g.track(1);
    const b = g.track(2);
    const c = g.track(3);
    g.resolve(a);
    g.reject(b);
    g.resolve(c);
    assert.deepEqual(written, [1]);
    assert.equal(g.isBlocked, true);
    g.resolve(g.track(4));
    assert.deepEqual(written, [1], 'a blocked gate takes nothing new');
  });

  it('drops what it holds when the connection closes', async () => {
    const { gate: g, written } = gate();
    const a = g.track(1);
    const idle = g.idle();
    g.close();
    await idle;
    g.resolve(a);
    assert.deepEqual(written, []);
    assert.equal(g.pending, 0);
  });

  it('idle() resolves once everything held was written', async () => {
    const { gate: g, written } = gate();
    const a = g.track(7);
    let idle = false;
    const waiting = g.idle().then(() => { idle = true; });
    await Promise.resolve();
    assert.equal(idle, false);
    g.resolve(a);
    await waiting;
    assert.deepEqual(written, [7]);
  });

  it('keeps order over many messages (reuses its queue)', () => {
    const { gate: g, written } = gate();
    const tickets = Array.from({ length: 5000 }, (_, i) => g.track(i % 65535 + 1));
    for (let i = tickets.length - 1; i >= 0; i -= 2) g.resolve(tickets[i]!);
    for (let i = tickets.length - 2; i >= 0; i -= 2) g.resolve(tickets[i]!);
    assert.deepEqual(written, tickets.map((t) => t.messageId));
  });
});

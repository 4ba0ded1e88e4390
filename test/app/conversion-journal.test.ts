/**
 * The conversion journal: a long conversion is recorded while it runs, and what a stopped
 * Cloudbridge left in it decides how the same messages are treated when they come back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConversionJournal, JOURNAL_AFTER_MS } from '../../src/app/conversion-journal.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { UplinkMessage } from '../../src/core/model.ts';
import type { ConvertPort, UplinkConversion } from '../../src/core/ports.ts';
import type { ConversionJournalEntry, ConversionJournalStore } from '../../src/store/types.ts';
import { ManualClock } from '../support/manual-clock.ts';

class MemoryJournal implements ConversionJournalStore {
  entries = new Map<string, ConversionJournalEntry>();
  writes = 0;
  async getConversionJournal(id: string): Promise<ConversionJournalEntry | null> { return this.entries.get(id) ?? null; }
  async setConversionJournal(id: string, entry: ConversionJournalEntry): Promise<void> { this.writes++; this.entries.set(id, entry); }
  async clearConversionJournal(id: string): Promise<void> { this.entries.delete(id); }
}

function msg(sourceKey: string, dedupe: UplinkMessage['dedupe'] = 'check'): UplinkMessage {
  return { sourceKey, payload: new Uint8Array(), metadata: {}, receivedAt: 0, dedupe };
}

/** A converter that records what it was called with; every message converts. */
function recordingConverter(calls: string[][]): ConvertPort {
  return async (messages) => {
    calls.push(messages.map((m) => m.sourceKey));
    return messages.map((): UplinkConversion => ({ ok: true, records: [], raw: {} }));
  };
}

function setup(): { store: MemoryJournal; clock: ManualClock; journal: ConversionJournal } {
  const store = new MemoryJournal();
  const clock = new ManualClock();
  return { store, clock, journal: new ConversionJournal({ store, integrationId: 'int-1', clock, log: silentLogger }) };
}

describe('conversion journal', () => {
  test('a conversion that ends within the delay never touches the store', async () => {
    const { store, journal } = setup();
    await journal.convert([msg('a'), msg('b')], recordingConverter([]));
    assert.equal(store.writes, 0);
  });

  test(`a conversion still running after ${JOURNAL_AFTER_MS} ms is recorded until it ends`, async () => {
    const { store, clock, journal } = setup();
    let finish: () => void = () => undefined;
    const slow: ConvertPort = (messages) => new Promise((resolve) => {
      finish = () => resolve(messages.map(() => ({ ok: true, records: [], raw: {} })));
    });
    const running = journal.convert([msg('a'), msg('b')], slow);
    await clock.advance(JOURNAL_AFTER_MS);
    assert.deepEqual(store.entries.get('int-1'), { sourceKeys: ['a', 'b'], startedAt: clock.now() - JOURNAL_AFTER_MS });
    finish();
    await running;
    assert.equal(store.entries.size, 0);
  });

  test('one message left by a stopped Cloudbridge: dead-lettered with CONVERTER_CRASHED when redelivered, never converted', async () => {
    const { store, journal } = setup();
    store.entries.set('int-1', { sourceKeys: ['poison'], startedAt: 1_700_000_000_000 });
    await journal.load();
    assert.equal(store.entries.size, 0, 'taken over at start');
    const calls: string[][] = [];
    const out = await journal.convert([msg('ok-1'), msg('poison'), msg('ok-2')], recordingConverter(calls));
    assert.deepEqual(calls, [['ok-1', 'ok-2']]);
    const crashed = out[1];
    assert.ok(crashed && !crashed.ok);
    assert.equal(crashed.error.code, 'CONVERTER_CRASHED');
    assert.match(crashed.error.message, /Cloudbridge stopped while converting this message \(conversion started 2023-11-14T22:13:20\.000Z\)/);
    assert.deepEqual(out.map((c) => c.ok), [true, false, true]);
    await journal.convert([msg('poison')], recordingConverter(calls));
    assert.deepEqual(calls.at(-1), ['poison'], 'settled once: a later message with that key converts');
  });

  test('a first delivery with the poison\'s key is a new message (MQTT record-only) and converts', async () => {
    const { store, journal } = setup();
    store.entries.set('int-1', { sourceKeys: ['same-content'], startedAt: 0 });
    await journal.load();
    const calls: string[][] = [];
    const out = await journal.convert([msg('same-content', 'record-only')], recordingConverter(calls));
    assert.deepEqual([calls, out.map((c) => c.ok)], [[['same-content']], [true]]);
  });

  test('a batch left by a stopped Cloudbridge: its messages are converted one at a time when they come back', async () => {
    const { store, journal } = setup();
    store.entries.set('int-1', { sourceKeys: ['s1', 's2'], startedAt: 0 });
    await journal.load();
    const calls: string[][] = [];
    await journal.convert([msg('s1'), msg('n1'), msg('s2'), msg('n2')], recordingConverter(calls));
    assert.deepEqual(calls, [['s1'], ['s2'], ['n1', 'n2']]);
  });
});

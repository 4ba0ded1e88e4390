/** How the events and dead-letters pages show a payload: JSON, text or hex, decided from the content. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hexDump, showPayload, showValue } from '../../web/src/events/payload.ts';

const b64 = (bytes: number[]): string => Buffer.from(bytes).toString('base64');

describe('payload display', () => {
  it('pretty-prints JSON objects and arrays', () => {
    assert.deepEqual(showPayload('{"device":"p-1","v":[1,2]}', null), { kind: 'JSON', content: '{\n  "device": "p-1",\n  "v": [\n    1,\n    2\n  ]\n}' });
    assert.equal(showPayload(' [1] ', null).kind, 'JSON');
  });

  it('shows other printable text as text, including broken JSON and bare numbers', () => {
    assert.deepEqual(showPayload('{"seq": 1, "temperature": 21', null), { kind: 'text', content: '{"seq": 1, "temperature": 21' });
    assert.deepEqual(showPayload('21.5', null), { kind: 'text', content: '21.5' });
    assert.deepEqual(showPayload('line 1\n\tline 2\r\n', null), { kind: 'text', content: 'line 1\n\tline 2\r\n' });
  });

  it('shows binary (no UTF-8 text, or control characters) as a hex dump with offsets and ASCII', () => {
    const bytes = [0x00, 0x01, 0x41, 0x42, 0xff, 0x10, 0x20, 0x7e, 0x7f, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x43, 0x44];
    const shown = showPayload(null, b64(bytes));
    assert.equal(shown.kind, 'hex');
    assert.deepEqual(shown.content.split('\n'), [
      '00000000  00 01 41 42 ff 10 20 7e 7f 0a 0b 0c 0d 0e 0f 43  ..AB.. ~.......C',
      `00000010  44${' '.repeat(45)}  D`,
    ]);
    assert.equal(showPayload('a\u0001b', b64([0x61, 0x01, 0x62])).content, hexDump(new Uint8Array([0x61, 0x01, 0x62])));
    assert.equal(showPayload('a\u0001b', null).kind, 'hex');
  });

  it('shows event body values: strings as payloads, base64 when the event says BINARY, others as JSON', () => {
    assert.equal(showValue('{"a":1}').kind, 'JSON');
    assert.equal(showValue('hello').kind, 'text');
    assert.deepEqual(showValue(b64([0xde, 0xad]), true), { kind: 'hex', content: `00000000  de ad${' '.repeat(42)}  ..` });
    assert.deepEqual(showValue({ topic: 't/1' }), { kind: 'JSON', content: '{\n  "topic": "t/1"\n}' });
  });
});

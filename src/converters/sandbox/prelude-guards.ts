/**
 * JavaScript run first in every sandbox: refuses, before they start, the built-in calls that
 * allocate a whole large object in one step. V8 grants such an allocation past the isolate's heap
 * limit (isolated-vm then either lets it succeed or loses control of the isolate), so the limit is
 * checked here against what the call would need: 8 bytes an element for arrays, 1 byte a
 * character for strings. The error is a RangeError whose message starts with GUARD_MARK; the
 * entries (prelude-entries.ts) report it as a memory failure, as they do the engines' own
 * "Array buffer allocation failed" and "Invalid string length".
 *
 * Growth step by step (push in a loop, a growing Map) is left to the engine's heap limit, and
 * what escapes it to the host process's memory watchdog (host/host-server.ts).
 */
export const GUARD_MARK = '[memory limit] ';

export function preludeGuards(memoryMb: number): string {
  return String.raw`
(function (g, LIMIT) {
  'use strict';
  var MARK = ${JSON.stringify(GUARD_MARK)};
  var defineProperty = Object.defineProperty, floor = Math.floor, round = Math.round;
  var MB = 1048576;

  function refuse(what, bytes) {
    throw new RangeError(MARK + what + ' would need about ' + round(bytes / MB) + ' MB');
  }

  function count(v) {
    var n = floor(Number(v));
    return n > 0 ? n : 0;
  }

  function guard(owner, name, check) {
    var original = owner[name];
    if (typeof original !== 'function') return;
    var guarded = {
      [name]: function () {
        check.apply(this, arguments);
        return original.apply(this, arguments);
      }
    }[name];
    defineProperty(guarded, 'length', { value: original.length });
    defineProperty(owner, name, { value: guarded, writable: true, configurable: true, enumerable: false });
  }

  guard(Array.prototype, 'fill', function () {
    var n = this === null || this === undefined ? 0 : count(this.length);
    if (n * 8 > LIMIT) refuse('filling an array of ' + n + ' elements', n * 8);
  });
  guard(Array, 'from', function (source) {
    var n = source === null || source === undefined ? 0 : count(source.length);
    if (n * 8 > LIMIT) refuse('Array.from with ' + n + ' elements', n * 8);
  });
  guard(String.prototype, 'repeat', function (times) {
    var n = String(this).length * count(times);
    if (n > LIMIT) refuse('a string of ' + n + ' characters', n);
  });
  ['padStart', 'padEnd'].forEach(function (name) {
    guard(String.prototype, name, function (length) {
      var n = count(length);
      if (n > LIMIT) refuse('a string of ' + n + ' characters', n);
    });
  });
})(globalThis, ${memoryMb * 1024 * 1024});
`;
}

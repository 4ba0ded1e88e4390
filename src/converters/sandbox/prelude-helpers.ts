/**
 * JavaScript run inside every sandbox (isolated-vm and QuickJS) before the user's code: the
 * ThingsBoard helpers as globals, a console that captures into a bounded buffer, JSON.parse
 * failures tagged as payload errors, and globals that converters never need removed.
 *
 * It is plain ES2020 text (QuickJS runs it too) and defines `globalThis.__cbPrelude`, which the
 * entry factories (prelude-entries.ts) consume and delete.
 */
export const PRELUDE_HELPERS = String.raw`
(function (g) {
  'use strict';
  var jsonParse = JSON.parse;
  var jsonStringify = JSON.stringify;
  var fromCharCode = String.fromCharCode;
  var payloadErrors = new WeakSet();
  var logs = [];
  var LOG_LINES = 200;
  var LOG_CHARS = 2000;
  var CHUNK = 8192;
  var NON_ASCII = /[^\x00-\x7f]/;
  var slice = Array.prototype.slice;
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  ['WebAssembly', 'Atomics', 'SharedArrayBuffer'].forEach(function (k) {
    try { delete g[k]; } catch (e) { g[k] = undefined; }
  });

  function define(name, value) {
    Object.defineProperty(g, name, { value: value, writable: true, configurable: true, enumerable: false });
  }

  function checkBytes(bytes, fn) {
    if (bytes === null || typeof bytes !== 'object' || typeof bytes.length !== 'number') {
      throw new TypeError(fn + ' expects an array of bytes (numbers 0-255)');
    }
  }

  function latin1(bytes) {
    if (bytes.length <= CHUNK) return fromCharCode.apply(null, bytes);
    var s = '';
    for (var i = 0; i < bytes.length; i += CHUNK) s += fromCharCode.apply(null, slice.call(bytes, i, i + CHUNK));
    return s;
  }

  function utf8(bytes) {
    var out = '', n = bytes.length, i = 0, units = [];
    while (i < n) {
      var b = bytes[i++] & 0xff, cp = 0xfffd, need = 0, min = 0;
      if (b < 0x80) { cp = b; }
      else if (b >= 0xc2 && b < 0xe0) { cp = b & 0x1f; need = 1; min = 0x80; }
      else if (b >= 0xe0 && b < 0xf0) { cp = b & 0x0f; need = 2; min = 0x800; }
      else if (b >= 0xf0 && b < 0xf5) { cp = b & 0x07; need = 3; min = 0x10000; }
      for (var k = 0; k < need; k++) {
        var c = i < n ? bytes[i] & 0xff : 0;
        if ((c & 0xc0) !== 0x80) { cp = 0xfffd; need = 0; break; }
        cp = (cp << 6) | (c & 0x3f); i++;
      }
      if (need > 0 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) cp = 0xfffd;
      if (cp > 0xffff) { cp -= 0x10000; units.push(0xd800 | (cp >> 10), 0xdc00 | (cp & 0x3ff)); }
      else units.push(cp);
      if (units.length >= CHUNK) { out += fromCharCode.apply(null, units); units = []; }
    }
    return out + fromCharCode.apply(null, units);
  }

  /** UTF-8. Pure ASCII (the common case) is decoded in one native call, then checked. */
  function decodeToString(bytes) {
    if (typeof bytes === 'string') return bytes;
    checkBytes(bytes, 'decodeToString');
    var s = latin1(bytes);
    return NON_ASCII.test(s) ? utf8(bytes) : s;
  }

  function parse(text, reviver) {
    try {
      return jsonParse(text, reviver);
    } catch (e) {
      if (e instanceof SyntaxError) payloadErrors.add(e);
      throw e;
    }
  }

  function decodeToJson(input) {
    return parse(typeof input === 'string' ? input : decodeToString(input));
  }

  function stringToBytes(str) {
    str = String(str);
    var out = [];
    for (var i = 0; i < str.length; i++) {
      var c = str.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < str.length) {
        var d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
      }
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    }
    return out;
  }

  function bytesToBase64(bytes) {
    checkBytes(bytes, 'bytesToBase64');
    var out = '', n = bytes.length;
    for (var i = 0; i < n; i += 3) {
      var a = bytes[i] & 0xff, b = i + 1 < n ? bytes[i + 1] & 0xff : 0, c = i + 2 < n ? bytes[i + 2] & 0xff : 0;
      var v = (a << 16) | (b << 8) | c;
      out += B64.charAt(v >> 18) + B64.charAt((v >> 12) & 63) +
        (i + 1 < n ? B64.charAt((v >> 6) & 63) : '=') + (i + 2 < n ? B64.charAt(v & 63) : '=');
    }
    return out;
  }

  function base64ToBytes(str) {
    var s = String(str).replace(/[\s=]+/g, '').replace(/-/g, '+').replace(/_/g, '/');
    if (/[^A-Za-z0-9+/]/.test(s) || s.length % 4 === 1) throw new TypeError('base64ToBytes: not valid base64');
    var out = [], bits = 0, acc = 0;
    for (var i = 0; i < s.length; i++) {
      acc = (acc << 6) | B64.indexOf(s.charAt(i)); bits += 6;
      if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
    }
    return out;
  }

  function bytesToHex(bytes) {
    checkBytes(bytes, 'bytesToHex');
    var out = '';
    for (var i = 0; i < bytes.length; i++) out += ((bytes[i] & 0xff) + 0x100).toString(16).slice(1);
    return out;
  }

  function hexToBytes(hex) {
    var s = String(hex).replace(/^0x/i, '').replace(/\s+/g, '');
    if (s.length % 2 !== 0 || /[^0-9a-fA-F]/.test(s)) throw new TypeError('hexToBytes: not a hex string');
    var out = [];
    for (var i = 0; i < s.length; i += 2) out.push(parseInt(s.substr(i, 2), 16));
    return out;
  }

  function btoa(str) {
    str = String(str);
    var bytes = [];
    for (var i = 0; i < str.length; i++) {
      var c = str.charCodeAt(i);
      if (c > 0xff) throw new TypeError('btoa: the string contains characters outside Latin-1');
      bytes.push(c);
    }
    return bytesToBase64(bytes);
  }

  function atob(b64) {
    return latin1(base64ToBytes(b64));
  }

  function show(v) {
    if (typeof v === 'string') return v;
    try {
      var s = jsonStringify(v);
      return s === undefined ? String(v) : s;
    } catch (e) {
      try { return String(v); } catch (e2) { return '[unprintable]'; }
    }
  }

  function logger(level) {
    return function () {
      if (logs.length >= LOG_LINES) return;
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
      var line = level + ': ' + parts.join(' ');
      logs.push(line.length > LOG_CHARS ? line.slice(0, LOG_CHARS) + '...' : line);
    };
  }

  JSON.parse = parse;
  define('decodeToString', decodeToString);
  define('decodeToJson', decodeToJson);
  define('stringToBytes', stringToBytes);
  define('bytesToBase64', bytesToBase64);
  define('base64ToBytes', base64ToBytes);
  define('bytesToHex', bytesToHex);
  define('hexToBytes', hexToBytes);
  define('btoa', btoa);
  define('atob', atob);
  define('console', { log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'), debug: logger('debug') });

  define('__cbPrelude', {
    jsonParse: jsonParse,
    jsonStringify: jsonStringify,
    decodeToString: decodeToString,
    isPayloadError: function (e) { return payloadErrors.has(e); },
    clearLogs: function () { logs.length = 0; },
    takeLogs: function () { var out = logs.slice(); logs.length = 0; return out; }
  });
})(globalThis);
`;

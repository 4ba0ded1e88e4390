/**
 * JavaScript run inside every sandbox after prelude-helpers.ts: `__cb.install(kind, arg)` turns the
 * user's Decoder/Encoder function (or a JSONata expression) into the entry points the host calls.
 *
 * Entry points (all take and return plain data only):
 * - `batch(bytes, offsets, metas)`: bytes is an ArrayBuffer holding every payload back to back;
 *   returns one outcome string per message, or
 *   `null` for JSONata, whose results are fetched with `collect()` once pending jobs have run.
 * - `batchJson(bytes, json)` / `collectJson()`: the same with JSON text (QuickJS).
 * - `one(json)`: one downlink, json = {msg, metadata, msgType, integrationMetadata}.
 * - `logs()` / `logsJson()`: console lines captured since the last call.
 *
 * An outcome is the result as JSON text, or `!` followed by JSON {k: kind, m: message, at?, d?}
 * where kind is runtime | payload | output | memory. JSON text never starts with `!`.
 *
 * In uplink results, Infinity, -Infinity and NaN (which JSON would write as null) are written as
 * the marker strings of ../non-finite.ts, so the host refuses them instead of skipping a null. Only
 * a result whose plain JSON holds `null` is walked to look for them, and serialised a second time
 * with the marking replacer when it holds one, so a result without nulls costs nothing extra.
 */
export const PRELUDE_ENTRIES = String.raw`
(function (g) {
  'use strict';
  var P = g.__cbPrelude;
  delete g.__cbPrelude;
  var jsonParse = P.jsonParse, jsonStringify = P.jsonStringify;
  var OUTPUT_CHARS = __OUTPUT_CHARS__;
  var SHAPE = '; return {deviceName, telemetry} or an array of them';
  var GUARD_MARK = __GUARD_MARK__;
  /** The engines' own refusals of an allocation: over the limit (QuickJS, an ArrayBuffer in V8), a string over the maximum length. */
  var ENGINE_MEMORY = /^(out of memory|Array buffer allocation failed|Invalid string length|string too long)/;

  function failure(kind, message, at, details) {
    return '!' + jsonStringify({ k: kind, m: message, at: at || null, d: details || null });
  }

  function where(e) {
    try {
      var st = e && e.stack;
      var m = typeof st === 'string' ? /converter\.js:(\d+)(?::(\d+))?/.exec(st) : null;
      return m ? [Number(m[1]), m[2] ? Number(m[2]) : 0] : null;
    } catch (x) {
      return null;
    }
  }

  function errorText(e) {
    try {
      if (e instanceof Error) return e.name + ': ' + e.message;
      if (typeof e === 'string') return 'threw "' + e + '"';
      var s = jsonStringify(e);
      return 'threw ' + (s === undefined ? String(e) : s);
    } catch (x) {
      return 'threw a value that cannot be printed';
    }
  }

  function fromError(e) {
    if (P.isPayloadError(e)) return failure('payload', 'payload is not valid JSON: ' + e.message);
    var quickjs = typeof InternalError === 'function';
    // QuickJS throws null when it cannot even allocate the error object.
    if (quickjs && e === null) return failure('memory', 'out of memory');
    if ((e instanceof RangeError || (quickjs && e instanceof InternalError)) && typeof e.message === 'string') {
      if (e.message.indexOf(GUARD_MARK) === 0) return failure('memory', e.message.slice(GUARD_MARK.length));
      if (ENGINE_MEMORY.test(e.message)) return failure('memory', e.message);
    }
    return failure('runtime', errorText(e), where(e));
  }

  function markNonFinite(k, v) {
    if (typeof v === 'number') {
      if (v - v === 0) return v;
      return v !== v ? '\u0000NaN' : v > 0 ? '\u0000Infinity' : '\u0000-Infinity';
    }
    if (v instanceof Number) return markNonFinite(k, v.valueOf());
    return v;
  }

  // Whether JSON.stringify(v) would write a non-finite number as null (objects with toJSON and
  // Number objects are left to the replacer). Cheaper than serialising again when it is not.
  function hasNonFinite(v) {
    if (typeof v === 'number') return v - v !== 0;
    if (v === null || typeof v !== 'object') return false;
    if (typeof v.toJSON === 'function' || v instanceof Number) return true;
    var i;
    if (Array.isArray(v)) {
      for (i = 0; i < v.length; i++) if (hasNonFinite(v[i])) return true;
      return false;
    }
    var keys = Object.keys(v);
    for (i = 0; i < keys.length; i++) if (hasNonFinite(v[keys[i]])) return true;
    return false;
  }

  function serialize(r, who, hint, mark) {
    var s;
    try {
      if (typeof r === 'function') return failure('output', who + ' returned a function' + hint);
      if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
        return failure('output', who + ' returned a Promise; converters must return their result synchronously');
      }
      s = jsonStringify(r);
      if (mark && s !== undefined && s.indexOf('null') !== -1 && hasNonFinite(r)) s = jsonStringify(r, markNonFinite);
    } catch (e) {
      return failure('output', 'the result cannot be converted to JSON (' + errorText(e) + ')');
    }
    if (s === undefined) return failure('output', who + ' returned nothing (undefined)' + hint);
    if (s.length > OUTPUT_CHARS) {
      return failure('output', 'the result is too large: ' + s.length + ' characters of JSON, the limit is ' + OUTPUT_CHARS);
    }
    return s;
  }

  function toBytes(src, start, end) {
    var n = end - start, a = new Array(n);
    for (var i = 0; i < n; i++) a[i] = src[start + i];
    return a;
  }

  function withJson(entries) {
    entries.batchJson = function (bytes, json) {
      var a = jsonParse(json);
      return jsonStringify(entries.batch(bytes, a.o, a.m));
    };
    entries.collectJson = function () { return jsonStringify(entries.collect()); };
    entries.logs = P.takeLogs;
    entries.logsJson = function () { return jsonStringify(P.takeLogs()); };
    return entries;
  }

  function makeUplink(decoder) {
    return withJson({
      batch: function (bytes, offs, metas) {
        P.clearLogs();
        var src = new Uint8Array(bytes), n = metas.length, out = new Array(n);
        for (var i = 0; i < n; i++) {
          var r;
          try {
            r = decoder(toBytes(src, offs[i], offs[i + 1]), metas[i]);
          } catch (e) {
            out[i] = fromError(e);
            continue;
          }
          out[i] = serialize(r, 'Decoder', SHAPE, true);
        }
        return out;
      },
      collect: function () { return []; }
    });
  }

  function makeDownlink(encoder) {
    return withJson({
      one: function (json) {
        P.clearLogs();
        var a = jsonParse(json), r;
        try {
          r = encoder(a.msg, a.metadata, a.msgType, a.integrationMetadata);
        } catch (e) {
          return fromError(e);
        }
        return serialize(r, 'Encoder', '; return {contentType, data, metadata?} or an array of them');
      },
      batch: function () { return []; },
      collect: function () { return []; }
    });
  }

  function jsonataText(e) {
    if (e === null || typeof e !== 'object') return errorText(e);
    var code = typeof e.code === 'string' ? ' ' + e.code : '';
    var pos = typeof e.position === 'number' ? ' at position ' + e.position : '';
    return 'JSONata error' + code + pos + ': ' + (e.message || String(e));
  }

  function jsonataDetails(e) {
    return e && typeof e === 'object' ? { jsonataCode: e.code || null, position: typeof e.position === 'number' ? e.position : null } : null;
  }

  function makeJsonata(text) {
    var expr;
    try {
      expr = g.jsonata(text);
    } catch (e) {
      throw new SyntaxError(jsonataText(e));
    }
    var results = [];
    function start(mine, i, input, meta) {
      var p;
      try {
        p = expr.evaluate(input, { metadata: meta });
      } catch (e) {
        mine[i] = failure('runtime', jsonataText(e), null, jsonataDetails(e));
        return;
      }
      Promise.resolve(p).then(function (v) {
        mine[i] = v === undefined ? failure('output', 'the expression produced no result for this payload' + SHAPE)
          : serialize(v, 'The expression', SHAPE, true);
      }, function (e) {
        mine[i] = failure('runtime', jsonataText(e), null, jsonataDetails(e));
      });
    }
    return withJson({
      batch: function (bytes, offs, metas) {
        P.clearLogs();
        var src = new Uint8Array(bytes), n = metas.length, mine = new Array(n);
        results = mine;
        for (var i = 0; i < n; i++) {
          var input;
          try {
            input = jsonParse(P.decodeToString(toBytes(src, offs[i], offs[i + 1])));
          } catch (e) {
            mine[i] = failure('payload', 'payload is not valid JSON: ' + e.message);
            continue;
          }
          start(mine, i, input, metas[i]);
        }
        return null;
      },
      collect: function () {
        var r = results;
        results = [];
        for (var i = 0; i < r.length; i++) if (r[i] === undefined) r[i] = failure('runtime', 'the expression did not finish');
        return r;
      }
    });
  }

  Object.defineProperty(g, '__cb', {
    configurable: true,
    value: {
      install: function (kind, arg) {
        delete g.__cb;
        if (kind === 'uplink') return makeUplink(arg);
        if (kind === 'downlink') return makeDownlink(arg);
        if (kind === 'jsonata') return makeJsonata(arg);
        throw new Error('unknown converter kind ' + kind);
      }
    }
  });
})(globalThis);
`;

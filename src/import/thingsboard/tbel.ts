/**
 * TBEL (ThingsBoard's MVEL-based script language) next to JavaScript: the lines of a TBEL converter
 * that would not run as JavaScript in Cloudbridge's sandbox, each with why and the JavaScript to
 * write instead. TBEL that uses only the syntax both languages share and the helpers Cloudbridge's
 * sandbox also defines (decodeToJson, decodeToString, bytesToHex, hexToBytes, base64ToBytes,
 * bytesToBase64, atob, btoa) has no such line and runs unchanged.
 */
import type { TbelLine } from './types.ts';

interface Rule {
  test: RegExp;
  why: string;
}

const SYNTAX: Rule[] = [
  { test: /\[\s*:\s*\]/, why: 'TBEL empty map literal [:]; in JavaScript write {}' },
  { test: /\[\s*("[^"]*"|'[^']*'|[A-Za-z_]\w*)\s*:(?!:)/, why: 'TBEL map literal ["key": value]; in JavaScript write {"key": value}' },
  { test: /\bforeach\s*\(/, why: 'TBEL foreach (item : list) loop; in JavaScript write for (const item of list)' },
  { test: /\bfor\s*\(\s*(?:var\s+|let\s+|const\s+)?[A-Za-z_$][\w$]*\s*:(?!:)/, why: 'TBEL for (item : list) loop; in JavaScript write for (const item of list)' },
  { test: /^\s*def\s+[A-Za-z_$][\w$]*\s*\(/, why: 'TBEL def function; in JavaScript write function name(...) { ... }' },
  { test: /\.\?[A-Za-z_$]/, why: 'TBEL null-safe navigation a.?b; in JavaScript write a?.b' },
  { test: /^\s*(?:final\s+)?(?:int|long|double|float|boolean|byte|short|char|String|Integer|Long|Double|Float|Boolean|Map|List|Object)(?:\[\])?\s+[A-Za-z_$][\w$]*\s*[=;]/, why: 'typed variable declaration (Java style); in JavaScript declare it with var or let' },
  { test: /\(\s*(?:int|long|double|float|short|byte|char|Integer|Long|Double|Float|String)\s*\)\s*[\w($]/, why: 'Java-style cast; in JavaScript use Math.trunc(x) for integers, Number(x) or String(x)' },
  { test: /\.(?:size|length)\s*\(\s*\)/, why: 'Java size()/length() method; in JavaScript use the .length property' },
  { test: /\.(?:put|containsKey|containsValue|keySet|entrySet|putAll|addAll|isEmpty|equalsIgnoreCase|equals)\s*\(/, why: 'Java collection or string method; in JavaScript use obj[key] = v, key in obj, Object.keys(obj), Object.entries(obj), .length === 0 or ===' },
  { test: /\.(?:get|add|remove|contains)\s*\(/, why: 'Java list/map method; in JavaScript use list[i], list.push(v), list.splice(i, 1), list.includes(v) or obj[key]' },
  { test: /\bjava\.[a-z]/, why: 'Java class; not available in JavaScript: use the JavaScript built-ins' },
  { test: /~=/, why: 'TBEL regular expression match ~=; in JavaScript write /re/.test(text)' },
];

/** TBEL built-ins the Cloudbridge sandbox does not define, with the JavaScript to use. */
const BUILT_INS: Record<string, string> = {
  parseHexToInt: 'parseInt(hex, 16) (mind the byte order for little-endian values)',
  parseLittleEndianHexToInt: 'parseInt of the hex with its bytes reversed',
  parseBigEndianHexToInt: 'parseInt(hex, 16)',
  parseHexToFloat: 'new DataView(new Uint8Array(hexToBytes(hex)).buffer).getFloat32(0)',
  parseHexToDouble: 'new DataView(new Uint8Array(hexToBytes(hex)).buffer).getFloat64(0)',
  parseBytesToInt: 'new DataView(Uint8Array.from(bytes).buffer).getInt32/getUint16/... (offset, littleEndian)',
  parseBytesToLong: 'new DataView(Uint8Array.from(bytes).buffer).getBigInt64(offset, littleEndian)',
  parseBytesToFloat: 'new DataView(Uint8Array.from(bytes).buffer).getFloat32(offset, littleEndian)',
  parseBytesToDouble: 'new DataView(Uint8Array.from(bytes).buffer).getFloat64(offset, littleEndian)',
  parseLong: 'parseInt(text, 10)',
  parseDouble: 'parseFloat(text)',
  toFlatMap: 'a small flatten function of your own (nested keys joined with ".")',
  toFixed: 'Number(value.toFixed(digits))',
  raiseError: 'throw new Error(message)',
  bytesToString: 'decodeToString(bytes)',
  intToHex: 'n.toString(16)',
  longToHex: 'n.toString(16)',
  floatToHex: 'a DataView setFloat32 and bytesToHex',
  base64ToHex: 'bytesToHex(base64ToBytes(text))',
  hexToBase64: 'bytesToBase64(hexToBytes(hex))',
  isBinary: '/^[01]+$/.test(text)',
  isOctal: '/^[0-7]+$/.test(text)',
  isDecimal: '/^-?\\d+$/.test(text)',
  isHexadecimal: '/^(0x)?[0-9a-fA-F]+$/.test(text)',
  printUnsignedBytes: 'bytes.map((b) => b & 0xff)',
  toUnsignedBytes: 'bytes.map((b) => b & 0xff)',
};

function definedFunctions(source: string): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(/\b(?:function|def)\s+([A-Za-z_$][\w$]*)\s*\(/g)) if (m[1]) names.add(m[1]);
  return names;
}

/** The text of a line without a trailing // comment and without string contents (kept as ""). */
function codeOf(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (s) => s.slice(0, 1) + s.slice(-1)).replace(/\/\/.*$/, '');
}

/** The lines of a TBEL script that differ from JavaScript (1-based line numbers). */
export function tbelDifferences(source: string): TbelLine[] {
  const own = definedFunctions(source);
  const out: TbelLine[] = [];
  source.split(/\r?\n/).forEach((text, i) => {
    const raw = text.replace(/\/\/.*$/, '');
    const code = codeOf(text);
    if (!code.trim()) return;
    const why: string[] = [];
    for (const rule of SYNTAX) {
      // Map-literal keys are often strings: match those rules on the line with its strings kept.
      if (rule.test.test(rule.why.includes('["key"') ? raw : code)) why.push(rule.why);
    }
    for (const [name, js] of Object.entries(BUILT_INS)) {
      if (own.has(name)) continue;
      if (new RegExp(`(^|[^\\w$.])${name}\\s*\\(`).test(code)) why.push(`${name}() is a TBEL built-in the sandbox does not define; in JavaScript use ${js}`);
    }
    if (why.length > 0) out.push({ line: i + 1, text: text.trimEnd(), why: why.join('; ') });
  });
  return out;
}

/** True when `source` parses as the body of a JavaScript function with these parameters (never run). */
export function compilesAsJavaScript(source: string, params: string[]): boolean {
  try {
    // Parsing only: the Function constructor compiles the body; it is never called.
    new Function(...params, source);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the sandbox programs for each converter kind: prelude + entries (+ JSONata library) +
 * the user's code wrapped so it runs unchanged from ThingsBoard.
 *
 * A JavaScript script is the BODY of `function Decoder(payload, metadata)` (or of Encoder). A script
 * that itself declares `function Decoder(...)` at top level also works: the wrapper calls the
 * declared function when the body returned nothing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PRELUDE_ENTRIES } from './sandbox/prelude-entries.ts';
import { PRELUDE_HELPERS } from './sandbox/prelude-helpers.ts';
import { GUARD_MARK } from './sandbox/prelude-guards.ts';
import type { SandboxProgram, SandboxScript } from './sandbox/sandbox-types.ts';
import { USER_FILENAME } from './sandbox/script-location.ts';
import { CONVERTER_OUTPUT_LIMITS } from './types.ts';

const UPLINK_HEADER = "__cb.install('uplink', function (payload, metadata) {";
const UPLINK_TAIL = "\n;if (typeof Decoder === 'function') { return Decoder(payload, metadata); }\n})";
const DOWNLINK_HEADER = "__cb.install('downlink', function (msg, metadata, msgType, integrationMetadata) {";
const DOWNLINK_TAIL = "\n;if (typeof Encoder === 'function') { return Encoder(msg, metadata, msgType, integrationMetadata); }\n})";
/** JSONata reaches btoa/atob through `window` when it exists (for $base64encode/$base64decode). */
const JSONATA_SHIM = 'globalThis.window = { btoa: btoa, atob: atob };';

let jsonataSource: string | undefined;

function preludeScripts(): SandboxScript[] {
  return [
    { code: PRELUDE_HELPERS, filename: 'cloudbridge-helpers.js' },
    {
      code: PRELUDE_ENTRIES.replace('__OUTPUT_CHARS__', String(CONVERTER_OUTPUT_LIMITS.maxOutputChars)).replace('__GUARD_MARK__', JSON.stringify(GUARD_MARK)),
      filename: 'cloudbridge-entries.js',
    },
  ];
}

export function uplinkJavascriptProgram(script: string): SandboxProgram {
  return {
    scripts: [...preludeScripts(), { code: UPLINK_HEADER + script + UPLINK_TAIL, filename: USER_FILENAME }],
    headerColumns: UPLINK_HEADER.length,
    locations: true,
  };
}

export function downlinkJavascriptProgram(script: string): SandboxProgram {
  return {
    scripts: [...preludeScripts(), { code: DOWNLINK_HEADER + script + DOWNLINK_TAIL, filename: USER_FILENAME }],
    headerColumns: DOWNLINK_HEADER.length,
    locations: true,
  };
}

export function uplinkJsonataProgram(expression: string): SandboxProgram {
  jsonataSource ??= readFileSync(createRequire(import.meta.url).resolve('jsonata/jsonata.min.js'), 'utf8');
  return {
    scripts: [
      ...preludeScripts(),
      { code: jsonataSource, filename: 'jsonata.js' },
      { code: JSONATA_SHIM, filename: 'jsonata-shim.js' },
      { code: `__cb.install('jsonata', ${JSON.stringify(expression)})`, filename: USER_FILENAME },
    ],
    headerColumns: 0,
    locations: false,
  };
}

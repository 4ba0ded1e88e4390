/**
 * The YAML config file (config as code): store, server, logging, converters and integrations.
 * `${ENV_VAR}` (upper-case names; `${ENV_VAR:-default}` for a default) is replaced from the
 * environment; lower-case `${key}` is left alone because downlink topic patterns use it, and
 * `$${...}` writes a literal `${...}`. Errors name the field and the fix.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { CloudbridgeError } from '../core/errors.ts';
import { DEFAULT_MAX_FUTURE_TS_MS } from '../converters/types.ts';
import { Value } from '@sinclair/typebox/value';
import { uniqueNameProblems } from './config-names.ts';
import { ConfigModeSpec } from './config-plan.ts';
import { ConfigPositions, formatProblem, type LocatedProblem } from './config-positions.ts';
import { ConverterFileEntrySpec, resolveFileRefs } from './config-refs.ts';
import type { ConverterInput } from './schemas.ts';
import { resolveServerTlsPaths } from './server-tls.ts';
import { schemaProblems, type FieldProblem } from './validate.ts';
import { RetentionSpec } from '../core/retention.ts';

export const StoreSpec = Type.Object({
  sqlite: Type.Optional(Type.Object({
    path: Type.String({ minLength: 1, default: './data/cloudbridge.db', description: 'SQLite database file.' }),
    synchronous: Type.Optional(Type.Union([Type.Literal('FULL'), Type.Literal('NORMAL')], { description: 'FULL (default) survives power loss; NORMAL survives process crashes only.' })),
    commitThread: Type.Optional(Type.Boolean({ description: 'Run the SQLite connection (commits and queries) in a worker thread beside the main thread. Default false: on 2 vCPUs it cost about 10 % more CPU per message and doubled the latency (docs/benchmarks.md); try it where cores are spare.' })),
    diskFreeWarning: Type.Optional(Type.Union([
      Type.Integer({ minimum: 0 }),
      Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(%|[KMGTkmgt][Ii]?[Bb]|[Bb])?\\s*$' }),
    ], { description: 'Warn (log, event, /ready) when the free space where the database is falls below this: bytes, a size (500MB, 1GiB) or a percentage (5%). Default 1GiB.' })),
  }, { additionalProperties: false })),
  postgres: Type.Optional(Type.Object({
    url: Type.String({
      minLength: 1, secret: true,
      description: 'PostgreSQL connection URL, e.g. postgres://cloudbridge:${PGPASSWORD}@db:5432/cloudbridge. Several instances may share one database; they must then share CLOUDBRIDGE_MASTER_KEY.',
    }),
  }, { additionalProperties: false })),
}, { additionalProperties: false, default: {} });

export const ServerSpec = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port of the API and UI (0 = any free port).' }),
  host: Type.String({
    minLength: 1, default: '127.0.0.1',
    description: 'Address to listen on. Default 127.0.0.1: this machine only (behind a reverse proxy). 0.0.0.0 (or ::) listens on every interface, e.g. in a container; without tls a warning (API_NOT_ENCRYPTED) is logged at start.',
  }),
  tls: Type.Optional(Type.Object({
    cert: Type.String({ minLength: 1, fromFile: true, description: 'Server certificate (followed by its intermediates), PEM: a file path relative to the config file\'s directory (read at start and at every reload: a renewed certificate is served without a restart), file:PATH (read at load), or the PEM text.' }),
    key: Type.String({ minLength: 1, secret: true, fromFile: true, description: 'Its private key, unencrypted PEM: a file path relative to the config file\'s directory (read at start and at every reload), file:PATH (read at load), or the PEM text.' }),
  }, { additionalProperties: false, description: 'Serve the API and UI over HTTPS with this certificate and key. Adding or removing it takes a restart; a renewed certificate and key are applied by a reload.' })),
}, { additionalProperties: false, default: {} });

export const LoggingSpec = Type.Object({
  level: Type.Union(['trace', 'debug', 'info', 'warn', 'error', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  format: Type.Optional(Type.Union([Type.Literal('pretty'), Type.Literal('json')], {
    description: 'pretty: one human-readable line per record (time, level, message, key=value); json: one JSON object per line. Default: pretty when stdout is a terminal, else json. The --log-format option of start and demo overrides it.',
  })),
}, { additionalProperties: false, default: {} });

export const IngestSpec = Type.Object({
  maxFutureTsMs: Type.Integer({
    minimum: 0, default: DEFAULT_MAX_FUTURE_TS_MS,
    description: 'A telemetry point whose own ts is more than this many milliseconds ahead of now is refused (the message is dead-lettered with CONVERTER_OUTPUT). Default 86400000 (1 day).',
  }),
}, { additionalProperties: false, default: {} });

export const ConfigFileSpec = Type.Object({
  /** How the file's objects relate to the store's (docs/configuration.md, "Declarative mode"). */
  config: Type.Optional(Type.Object({ mode: ConfigModeSpec }, { additionalProperties: false })),
  store: StoreSpec,
  server: ServerSpec,
  logging: LoggingSpec,
  /** How long stored rows are kept (docs/operations.md); integrations may override it. */
  retention: Type.Optional(Type.Object(RetentionSpec.properties, { additionalProperties: false, description: 'How long stored rows are kept, per kind (docs/operations.md); an integration\'s own `retention` overrides it for its rows.' })),
  credentialExpiry: Type.Optional(Type.Object({
    warnDays: Type.Integer({ minimum: 0, default: 30, description: 'Warn (CREDENTIAL_EXPIRY: log, event, integration status) this many days before a credential of an integration or forwarder expires, then once a day. Default 30.' }),
  }, { additionalProperties: false, description: 'Credential expiry monitoring (docs/operations.md).' })),
  /** Rules for what converters may store (all integrations). */
  ingest: Type.Optional(IngestSpec),
  /** `scriptFile` references are read when the file is loaded (config-refs.ts). */
  converters: Type.Array(ConverterFileEntrySpec, { default: [] }),
  /** Validated in full (per connector) by ConfigService; here only their presence. */
  integrations: Type.Array(Type.Record(Type.String(), Type.Unknown()), { default: [] }),
  /** Validated in full (per forwarder type) by ForwarderManager; here only their presence. */
  forwarders: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Forwarders (docs/thingsboard.md): name, type, integrations, enabled, config.' })),
}, { additionalProperties: false });

/** A loaded config file: its file references read (every converter has its script). */
export type ConfigFile = Omit<Static<typeof ConfigFileSpec>, 'converters'> & { converters: ConverterInput[] };

const ENV_REF = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${ENV_VAR}` references. An unset variable without default throws CONFIG_INVALID naming
 * the field, or, when `missing` is given, is listed there (the reference is left in place).
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path = '', missing?: FieldProblem[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (whole, escaped: string, name: string, fallback: string | undefined) => {
      if (escaped) return whole.slice(1);
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) return whole;
      const v = env[name];
      if (v !== undefined) return v;
      if (fallback !== undefined) return fallback;
      const problem = { field: path || '(root)', message: `environment variable ${name} is not set; export it or write \${${name}:-default}` };
      if (!missing) throw new CloudbridgeError('CONFIG_INVALID', `${problem.field}: ${problem.message}`, { field: path });
      missing.push(problem);
      return whole;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, `${path}[${i}]`, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, path ? `${path}.${k}` : k, missing)]));
  }
  return value;
}

/**
 * YAML error codes whose messages may quote text of the file (an escape sequence, a tag, a
 * token); they are replaced by a fixed explanation, because the quoted text may be part of a secret.
 */
const QUOTING_YAML_ERRORS: Record<string, string> = {
  BAD_DQ_ESCAPE: 'invalid escape sequence in a double-quoted string (use single quotes, or write a backslash as \\\\)',
  BAD_SCALAR_START: 'a plain value cannot start with this character; put the value in quotes',
  TAG_RESOLVE_FAILED: 'unknown tag; a value that starts with ! must be put in quotes',
  BAD_COLLECTION_TYPE: 'a tag does not fit its value; a value that starts with ! must be put in quotes',
  BAD_PROP_ORDER: 'anchors (&) and tags (!) must come after the - or ? indicator; a value that starts with & or ! must be put in quotes',
  UNEXPECTED_TOKEN: 'unexpected text; a value containing characters such as : # { } [ ] , & * ! | > \' " % @ must be put in quotes',
};

/**
 * A YAML error as the user sees it: the message, line and column, never the source line (the
 * `yaml` package's pretty errors quote it, and it may hold a secret).
 */
function yamlProblem(e: YAMLError): LocatedProblem {
  const raw = e.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
  const pos = e.linePos?.[0];
  return { field: '', message: `YAML syntax error: ${QUOTING_YAML_ERRORS[e.code] ?? raw}`, ...(pos ? { line: pos.line, column: pos.col } : {}) };
}

/** What checking a config text found: every problem (with its position), and the file when it has none. */
export interface ConfigCheck {
  /** The file, when it has no problem. */
  file: ConfigFile | null;
  /** The parsed mapping (environment references replaced, defaults applied) when the text is YAML; checked further by lint. */
  raw: Record<string, unknown> | null;
  problems: LocatedProblem[];
  positions: ConfigPositions;
}

/**
 * Checks a config text at once: every YAML syntax error, else every unset environment variable,
 * schema problem and duplicate name, each with its line and column. Converters and integrations
 * are checked further by lint and at start.
 */
export function checkConfigText(text: string, env: NodeJS.ProcessEnv, baseDir = process.cwd()): ConfigCheck {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  const positions = new ConfigPositions(doc, lines);
  // An unknown tag is only a warning to the yaml package, which then drops the value: a password
  // written as !abc would silently become empty. Cloudbridge files use no tags, so it is an error.
  const yamlErrors = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  if (yamlErrors.length > 0) return { file: null, raw: null, problems: yamlErrors.map(yamlProblem), positions };
  let parsed: unknown;
  try {
    parsed = doc.toJS() ?? {};
  } catch {
    // e.g. "Unresolved alias ...: <name>": a value starting with * is an alias, and may be a secret.
    return { file: null, raw: null, problems: [{ field: '', message: 'YAML error: an alias (*name) has no anchor (&name), or aliases expand too much; a value that starts with * or & must be put in quotes' }], positions };
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { file: null, raw: null, problems: [{ field: '', message: 'the top level must be a mapping with store, server, converters, integrations', line: 1, column: 1 }], positions };
  }
  const problems: FieldProblem[] = [];
  const raw = Value.Default(ConfigFileSpec, interpolateEnv(parsed, env, '', problems)) as Record<string, unknown>;
  // A field whose environment variable is unset has no value to check further.
  const unset = new Set(problems.map((p) => p.field));
  problems.push(...schemaProblems(ConfigFileSpec, raw).filter((p) => !unset.has(p.field)), ...uniqueNameProblems(namedEntries(raw)));
  // File references (scriptFile, file:) are read once the file's shape is right.
  const file = problems.length === 0 ? readFileRefs(raw as Static<typeof ConfigFileSpec>, baseDir, problems) : null;
  return { file: problems.length === 0 ? file : null, raw, problems: positions.locate(problems), positions };
}

/** The file with its references read; what cannot be read is added to `problems`. */
function readFileRefs(parsed: Static<typeof ConfigFileSpec>, baseDir: string, problems: FieldProblem[]): ConfigFile | null {
  try {
    const resolved = resolveFileRefs(parsed, baseDir, ServerSpec);
    if (resolved.server.tls) resolved.server.tls = resolveServerTlsPaths(resolved.server.tls, baseDir);
    return resolved;
  } catch (err) {
    if (!(err instanceof CloudbridgeError) || err.code !== 'CONFIG_INVALID') throw err;
    problems.push(...((err.details.problems as FieldProblem[] | undefined) ?? [{ field: err.details.field ?? '', message: err.message }]));
    return null;
  }
}

/** The converters, integrations and forwarders of a parsed file that are lists of mappings (for the name check). */
function namedEntries(raw: Record<string, unknown>): { converters: Array<Record<string, unknown>>; integrations: Array<Record<string, unknown>>; forwarders: Array<Record<string, unknown>> } {
  const list = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.filter((e): e is Record<string, unknown> => !!e && typeof e === 'object') : []);
  return { converters: list(raw.converters), integrations: list(raw.integrations), forwarders: list(raw.forwarders) };
}

/** CONFIG_INVALID listing every problem as `source:line:column field: message`, one a line. */
export function configFileError(problems: readonly LocatedProblem[], source: string): CloudbridgeError {
  const lines = problems.map((p) => formatProblem(source, p));
  const message = lines.length === 1 ? lines[0] as string : `${problems.length} problems:\n  ${lines.join('\n  ')}`;
  return new CloudbridgeError('CONFIG_INVALID', `invalid configuration: ${message}`, { field: problems[0]?.field || source, problems });
}

/**
 * An error of applying a config file (a converter reference not found, a connector's own rule...)
 * with the file and the line and column of its fields, as the file check gives them; other errors unchanged.
 */
export function locateConfigError(err: unknown, text: string, source: string): unknown {
  if (!(err instanceof CloudbridgeError) || !err.details.field) return err;
  const listed = (err.details.problems as FieldProblem[] | undefined) ?? [{ field: err.details.field, message: err.message.replace(/^invalid configuration: /, '').replace(`${err.details.field}: `, '') }];
  const lines = new LineCounter();
  const located = new ConfigPositions(parseDocument(text, { lineCounter: lines }), lines).locate(listed);
  if (located.every((p) => p.line === undefined)) return err;
  const e = configFileError(located, source);
  return new CloudbridgeError(err.code, e.message, { ...err.details, problems: located });
}

/** `baseDir`: where file references are relative to (the config file's directory). */
export function parseConfigText(text: string, env: NodeJS.ProcessEnv, source = 'config', baseDir = process.cwd()): ConfigFile {
  const { file, problems } = checkConfigText(text, env, baseDir);
  if (!file) throw configFileError(problems, source);
  return file;
}

/** The text of a config file; CONFIG_INVALID when it cannot be read. */
export function readConfigText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CloudbridgeError('CONFIG_INVALID', `cannot read config file ${path}: ${(err as Error).message}`, { field: 'config' });
  }
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): ConfigFile {
  return parseConfigText(readConfigText(path), env, path, dirname(resolve(path)));
}

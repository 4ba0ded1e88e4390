/**
 * The YAML config file (config as code): store, server, logging, converters and integrations.
 * `${ENV_VAR}` (upper-case names; `${ENV_VAR:-default}` for a default) is replaced from the
 * environment; lower-case `${key}` is left alone because downlink topic patterns use it, and
 * `$${...}` writes a literal `${...}`. Errors name the field and the fix.
 */
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { parseDocument, type YAMLError } from 'yaml';
import { CloudbridgeError } from '../core/errors.ts';
import { DEFAULT_MAX_FUTURE_TS_MS } from '../converters/types.ts';
import { checkUniqueNames } from './config-names.ts';
import { RetentionSpec } from '../core/retention.ts';
import { ConverterInputSpec } from './schemas.ts';
import { parseWithSchema } from './validate.ts';

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
  host: Type.String({ default: '0.0.0.0', description: 'Address to listen on.' }),
}, { additionalProperties: false, default: {} });

export const LoggingSpec = Type.Object({
  level: Type.Union(['trace', 'debug', 'info', 'warn', 'error', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
}, { additionalProperties: false, default: {} });

export const IngestSpec = Type.Object({
  maxFutureTsMs: Type.Integer({
    minimum: 0, default: DEFAULT_MAX_FUTURE_TS_MS,
    description: 'A telemetry point whose own ts is more than this many milliseconds ahead of now is refused (the message is dead-lettered with CONVERTER_OUTPUT). Default 86400000 (1 day).',
  }),
}, { additionalProperties: false, default: {} });

export const ConfigFileSpec = Type.Object({
  store: StoreSpec,
  server: ServerSpec,
  logging: LoggingSpec,
  /** How long stored rows are kept (docs/operations.md); integrations may override it. */
  retention: Type.Optional(Type.Object(RetentionSpec.properties, { additionalProperties: false, description: 'How long stored rows are kept, per kind (docs/operations.md); an integration\'s own `retention` overrides it for its rows.' })),
  credentialExpiry: Type.Optional(Type.Object({
    warnDays: Type.Integer({ minimum: 0, default: 30, description: 'Warn (CREDENTIAL_EXPIRY: log, event, integration status) this many days before a credential expires. Default 30.' }),
  }, { additionalProperties: false, description: 'Credential expiry monitoring (docs/operations.md).' })),
  /** Rules for what converters may store (all integrations). */
  ingest: Type.Optional(IngestSpec),
  converters: Type.Array(ConverterInputSpec, { default: [] }),
  /** Validated in full (per connector) by ConfigService; here only their presence. */
  integrations: Type.Array(Type.Record(Type.String(), Type.Unknown()), { default: [] }),
  /** Validated in full (per forwarder type) by ForwarderManager; here only their presence. */
  forwarders: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Forwarders (docs/thingsboard.md): name, type, integrations, enabled, config.' })),
}, { additionalProperties: false });

export type ConfigFile = Static<typeof ConfigFileSpec>;

const ENV_REF = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (whole, escaped: string, name: string, fallback: string | undefined) => {
      if (escaped) return whole.slice(1);
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) return whole;
      const v = env[name];
      if (v !== undefined) return v;
      if (fallback !== undefined) return fallback;
      throw new CloudbridgeError('CONFIG_INVALID', `${path || '(root)'}: environment variable ${name} is not set; export it or write \${${name}:-default}`, { field: path });
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, path ? `${path}.${k}` : k)]));
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
function yamlProblem(source: string, e: YAMLError): string {
  const where = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
  const raw = e.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
  const message = QUOTING_YAML_ERRORS[e.code] ?? raw;
  return `${source}: YAML syntax error${where}: ${message}`;
}

export function parseConfigText(text: string, env: NodeJS.ProcessEnv, source = 'config'): ConfigFile {
  const doc = parseDocument(text, { prettyErrors: true });
  // An unknown tag is only a warning to the yaml package, which then drops the value: a password
  // written as !abc would silently become empty. Cloudbridge files use no tags, so it is an error.
  const first = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (first) throw new CloudbridgeError('CONFIG_INVALID', yamlProblem(source, first), { field: source });
  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch {
    // e.g. "Unresolved alias ...: <name>": a value starting with * is an alias, and may be a secret.
    throw new CloudbridgeError('CONFIG_INVALID', `${source}: YAML error: an alias (*name) has no anchor (&name), or aliases expand too much; a value that starts with * or & must be put in quotes`, { field: source });
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CloudbridgeError('CONFIG_INVALID', `${source}: the top level must be a mapping with store, server, converters, integrations`);
  }
  const file = parseWithSchema(ConfigFileSpec, interpolateEnv(raw, env));
  checkUniqueNames(file);
  return file;
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CloudbridgeError('CONFIG_INVALID', `cannot read config file ${path}: ${(err as Error).message}`, { field: 'config' });
  }
  return parseConfigText(text, env, path);
}

/**
 * File references of the config file: a converter's `scriptFile` (instead of `script`) and
 * `file:PATH` for the config fields that take what users keep in files (PEM certificates and keys,
 * a service account key: the fields whose schema carries `fromFile: true`). Paths are relative to
 * the config file's directory. They are read when the file is loaded, so at start and at every
 * reload (SIGHUP): a changed script or a renewed certificate is applied like any other change.
 * A reference that cannot be read is a CONFIG_INVALID naming the field and the path; no message
 * ever quotes the content of a file (it may be a key).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { findConnector } from '../connectors/registry.ts';
import { findForwarder } from '../forwarders/registry.ts';
import { ConverterInputSpec, type ConverterInput } from './schemas.ts';
import { mapMarked } from './secrets.ts';
import { configError, type FieldProblem } from './validate.ts';

/** The prefix of a file reference in a `fromFile` field. */
export const FILE_REF = 'file:';

const SCRIPT_MAX = (ConverterInputSpec.properties.script as { maxLength?: number }).maxLength ?? 200_000;

/** A converter as the config file takes it: `script`, or `scriptFile` naming the file that holds it. */
export const ConverterFileEntrySpec = Type.Object({
  ...ConverterInputSpec.properties,
  script: Type.Optional(ConverterInputSpec.properties.script),
  scriptFile: Type.Optional(Type.String({
    minLength: 1,
    description: 'Instead of script: the file holding the script, relative to the config file (e.g. decoders/sensor.js). Read at start and at every reload.',
  })),
}, { additionalProperties: false });

export type ConverterFileEntry = Static<typeof ConverterFileEntrySpec>;

/** Why a file could not be read, without its content. */
function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (make it readable by the user Cloudbridge runs as)';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return `cannot be read (${code ?? 'unknown error'})`;
}

/** Reads a referenced file, or records a problem naming the field and the path (never the content). */
function readRef(field: string, path: string, baseDir: string, problems: FieldProblem[], maxLength?: number): string | undefined {
  const full = isAbsolute(path) ? path : resolve(baseDir, path);
  const where = full === path ? `"${path}"` : `"${path}" (${full})`;
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    problems.push({ field, message: `${where}: ${readProblem(err)}; the path is relative to the config file's directory` });
    return undefined;
  }
  if (text.trim() === '') {
    problems.push({ field, message: `${where} is empty` });
    return undefined;
  }
  if (maxLength !== undefined && text.length > maxLength) {
    problems.push({ field, message: `${where} has ${text.length} characters; at most ${maxLength} are allowed` });
    return undefined;
  }
  return text;
}

/** Replaces every `file:PATH` value at a `fromFile` position of `schema` with the file's content. */
function resolveFields(schema: TSchema, value: unknown, prefix: string, baseDir: string, problems: FieldProblem[]): unknown {
  return mapMarked('fromFile', schema, value, (v, path) => {
    if (!v.startsWith(FILE_REF)) return v;
    const field = `${prefix}.${path}`;
    const ref = v.slice(FILE_REF.length).trim();
    if (!ref) {
      problems.push({ field, message: `"${FILE_REF}" names no file; write ${FILE_REF}PATH (relative to the config file)` });
      return v;
    }
    return readRef(field, ref, baseDir, problems) ?? v;
  });
}

function resolveConverter(c: ConverterFileEntry, i: number, baseDir: string, problems: FieldProblem[]): ConverterInput {
  const { scriptFile, ...rest } = c;
  const at = `converters[${i}]`;
  if (scriptFile !== undefined && c.script !== undefined) {
    problems.push({ field: `${at}.scriptFile`, message: 'give either script or scriptFile, not both' });
  } else if (scriptFile === undefined && c.script === undefined) {
    problems.push({ field: `${at}.script`, message: 'is required: give script (the code) or scriptFile (a file relative to the config file)' });
  }
  const script = scriptFile !== undefined ? readRef(`${at}.scriptFile`, scriptFile, baseDir, problems, SCRIPT_MAX) : c.script;
  return { ...rest, script: script ?? '' };
}

type Entry = Record<string, unknown>;

/** The same entry with its `config`'s file references read, per the schema of its type. */
function resolveEntry(entry: Entry, prefix: string, spec: TSchema | undefined, baseDir: string, problems: FieldProblem[]): Entry {
  if (!spec || !entry.config || typeof entry.config !== 'object') return entry;
  return { ...entry, config: resolveFields(spec, entry.config, `${prefix}.config`, baseDir, problems) };
}

interface WithRefs {
  server: Record<string, unknown>;
  converters: ConverterFileEntry[];
  integrations: Entry[];
  forwarders?: Entry[] | undefined;
}

/**
 * Reads every file reference of a parsed config file (relative to `baseDir`); throws one
 * CONFIG_INVALID listing every reference that cannot be read.
 */
export function resolveFileRefs<F extends WithRefs>(file: F, baseDir: string, serverSpec: TSchema): Omit<F, 'converters'> & { converters: ConverterInput[] } {
  const problems: FieldProblem[] = [];
  const converters = file.converters.map((c, i) => resolveConverter(c, i, baseDir, problems));
  const integrations = file.integrations.map((e, i) => resolveEntry(e, `integrations[${i}]`, findConnector(String(e.type ?? ''))?.configSpec, baseDir, problems));
  const forwarders = file.forwarders?.map((e, i) => resolveEntry(e, `forwarders[${i}]`, findForwarder(String(e.type ?? ''))?.configSpec, baseDir, problems));
  const server = resolveFields(serverSpec, file.server, 'server', baseDir, problems) as F['server'];
  if (problems.length > 0) throw configError(problems);
  return { ...file, server, converters, integrations, ...(forwarders ? { forwarders } : {}) };
}

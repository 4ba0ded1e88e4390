/**
 * Converter references of a config file, checked before anything of the file is applied: a start
 * or a reload with a misspelled name then fails whole (nothing saved, nothing restarted), naming
 * every such field, its integration and the closest converter name of the file or the store.
 * A name that only the store has is valid.
 */
import { CloudbridgeError } from '../core/errors.ts';
import type { ConverterConfig } from '../core/model.ts';
import { closestName } from './did-you-mean.ts';
import type { FieldProblem } from './validate.ts';

/** The problem of a converter reference that names no converter: the field, the integration and the closest name. */
export function converterNotFound(wanted: string, field: string, integration: string | undefined, names: Iterable<string>, id?: string): FieldProblem {
  const close = closestName(wanted, names);
  const of = integration ? ` (integration "${integration}")` : '';
  const fix = close ? `did you mean "${close}"?` : 'name an existing converter, or create it first (converters: in the config file, or POST /api/v1/converters)';
  return { field, message: `converter "${wanted}"${id ? ` (id ${id})` : ''} not found${of}; ${fix}` };
}

/** NOT_FOUND listing the problems, each as `field: message`. */
export function referencesError(problems: readonly FieldProblem[]): CloudbridgeError {
  const lines = problems.map((p) => `${p.field}: ${p.message}`);
  return new CloudbridgeError('NOT_FOUND', lines.join('; '), { field: problems[0]?.field, problems: [...problems] });
}

interface FileSections {
  converters: ReadonlyArray<{ name: string }>;
  integrations: ReadonlyArray<Record<string, unknown>>;
}

/** Throws NOT_FOUND listing every converter reference of the file that names no converter of the file or the store. */
export async function checkConverterReferences(file: FileSections, stored: () => Promise<ConverterConfig[]>): Promise<void> {
  const inFile = new Set(file.converters.map((c) => c.name));
  let inStore: ConverterConfig[] | undefined;
  const problems: FieldProblem[] = [];
  for (const [i, integ] of file.integrations.entries()) {
    for (const field of ['uplinkConverter', 'downlinkConverter'] as const) {
      const ref = integ[field] as string | { id: string; name?: string } | null | undefined;
      if (!ref) continue;
      const wanted = typeof ref === 'string' ? ref : ref.name ?? ref.id;
      if (inFile.has(wanted)) continue;
      inStore ??= await stored();
      const keys = typeof ref === 'string' ? [ref] : [ref.id, ref.name];
      if (inStore.some((c) => keys.includes(c.id) || keys.includes(c.name))) continue;
      const name = typeof integ.name === 'string' ? integ.name : undefined;
      problems.push(converterNotFound(wanted, `integrations[${i}].${field}`, name, [...inFile, ...inStore.map((c) => c.name)], typeof ref === 'string' ? undefined : ref.id));
    }
  }
  if (problems.length > 0) throw referencesError(problems);
}

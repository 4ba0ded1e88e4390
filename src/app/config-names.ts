/**
 * Names in a config file must be unique per kind: two converters, integrations or forwarders with
 * one name would otherwise both pass and one of them replace the other at start (the store keys
 * them by name). Every duplicate is reported, naming both entries.
 */
import { CloudbridgeError } from '../core/errors.ts';
import type { FieldProblem } from './validate.ts';

type Named = Record<string, unknown>;

function duplicatesIn(section: string, kind: string, entries: readonly Named[]): FieldProblem[] {
  const first = new Map<string, number>();
  const problems: FieldProblem[] = [];
  entries.forEach((entry, i) => {
    const name = entry.name;
    if (typeof name !== 'string') return;
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, i);
      return;
    }
    problems.push({
      field: `${section}[${i}].name`,
      message: `${kind} name "${name}" is also used by ${section}[${earlier}]: names must be unique; rename one of them`,
    });
  });
  return problems;
}

/** Throws CONFIG_INVALID listing every duplicate name of the file's converters, integrations and forwarders. */
export function checkUniqueNames(file: { converters: readonly Named[]; integrations: readonly Named[]; forwarders?: readonly Named[] | undefined }): void {
  const problems = [
    ...duplicatesIn('converters', 'converter', file.converters),
    ...duplicatesIn('integrations', 'integration', file.integrations),
    ...duplicatesIn('forwarders', 'forwarder', file.forwarders ?? []),
  ];
  const head = problems[0];
  if (!head) return;
  const message = problems.length === 1 ? `${head.field}: ${head.message}` : `${problems.length} duplicate names: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
  throw new CloudbridgeError('CONFIG_INVALID', message, { field: head.field, problems });
}

/**
 * Names in a config file must be unique per kind: two converters, integrations or forwarders with
 * one name would otherwise both pass and one of them replace the other at start (the store keys
 * them by name). Every duplicate is reported, naming both entries.
 */
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

type NamedSections = { converters: readonly Named[]; integrations: readonly Named[]; forwarders?: readonly Named[] | undefined };

/** Every duplicate name of the file's converters, integrations and forwarders. */
export function uniqueNameProblems(file: NamedSections): FieldProblem[] {
  return [
    ...duplicatesIn('converters', 'converter', file.converters),
    ...duplicatesIn('integrations', 'integration', file.integrations),
    ...duplicatesIn('forwarders', 'forwarder', file.forwarders ?? []),
  ];
}

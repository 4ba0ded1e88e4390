/** Generates docs/forwarders/<type>.md from a forwarder's config spec, guide and pitfalls. */
import type { ForwarderDefinition } from '../core/forwarder.ts';
import { GENERATED_NOTE, pitfallsSection } from './generate.ts';
import { schemaTable } from './schema-table.ts';

export function forwarderDoc(def: ForwarderDefinition): string {
  return `${GENERATED_NOTE}
# ${def.title} forwarder (\`${def.type}\`)

${def.description}

Set-up, RPC and attributes, limits and troubleshooting: [docs/thingsboard.md](../thingsboard.md).

## Configuration

The \`config\` object of a forwarder of type \`${def.type}\` (\`forwarders:\` in the YAML file, or
\`PUT /api/v1/forwarders/{name}\`):

${schemaTable(def.configSpec)}
${def.guide ? `\n${def.guide}\n` : ''}
${pitfallsSection(def.pitfalls)}`;
}

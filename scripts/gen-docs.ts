/** `npm run docs`: writes the generated reference docs (errors, connector pages). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connectorDefinitions } from '../src/connectors/registry.ts';
import { connectorDoc, errorsDoc } from '../src/docs/generate.ts';

const root = new URL('../docs/', import.meta.url);
mkdirSync(new URL('connectors/', root), { recursive: true });
writeFileSync(new URL('errors.md', root), errorsDoc());
for (const def of connectorDefinitions) writeFileSync(new URL(`connectors/${def.type}.md`, root), connectorDoc(def));
console.log(`docs: errors.md and ${connectorDefinitions.length} connector page(s) written`);

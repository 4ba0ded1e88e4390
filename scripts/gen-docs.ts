/** `npm run docs`: writes the generated reference docs (errors, connector and forwarder pages). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connectorDefinitions } from '../src/connectors/registry.ts';
import { connectorDoc, errorsDoc } from '../src/docs/generate.ts';
import { forwarderDoc } from '../src/docs/forwarder-doc.ts';
import { forwarderDefinitions } from '../src/forwarders/registry.ts';

const root = new URL('../docs/', import.meta.url);
mkdirSync(new URL('connectors/', root), { recursive: true });
writeFileSync(new URL('errors.md', root), errorsDoc());
for (const def of connectorDefinitions) writeFileSync(new URL(`connectors/${def.type}.md`, root), connectorDoc(def));
mkdirSync(new URL('forwarders/', root), { recursive: true });
for (const def of forwarderDefinitions) writeFileSync(new URL(`forwarders/${def.type}.md`, root), forwarderDoc(def));
console.log(`docs: errors.md, ${connectorDefinitions.length} connector page(s) and ${forwarderDefinitions.length} forwarder page(s) written`);

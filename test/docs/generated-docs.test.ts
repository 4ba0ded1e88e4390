import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connectorDefinitions } from '../../src/connectors/registry.ts';
import { connectorDoc, errorsDoc } from '../../src/docs/generate.ts';
import { forwarderDoc } from '../../src/docs/forwarder-doc.ts';
import { forwarderDefinitions } from '../../src/forwarders/registry.ts';

const read = (rel: string): string => readFileSync(new URL(`../../docs/${rel}`, import.meta.url), 'utf8');

describe('generated docs', () => {
  it('docs/errors.md lists every error code (run `npm run docs` after changing the catalogue)', () => {
    assert.equal(read('errors.md'), errorsDoc());
  });
  for (const def of connectorDefinitions) {
    it(`docs/connectors/${def.type}.md matches the ${def.type} config spec`, () => {
      const page = read(`connectors/${def.type}.md`);
      assert.equal(page, connectorDoc(def));
      const props = Object.keys((def.configSpec as { properties?: object }).properties ?? {});
      for (const p of props) assert.ok(page.includes(`\`${p}\``), `field ${p} is documented`);
    });
  }
  for (const def of forwarderDefinitions) {
    it(`docs/forwarders/${def.type}.md matches the ${def.type} config spec`, () => {
      const page = read(`forwarders/${def.type}.md`);
      assert.equal(page, forwarderDoc(def));
      const props = Object.keys((def.configSpec as { properties?: object }).properties ?? {});
      for (const p of props) assert.ok(page.includes(`\`${p}\``), `field ${p} is documented`);
      assert.doesNotMatch(page, /\| (\w+) \\\| \1 \|/, 'a union of two schemas of one type is shown as that type once');
    });
  }
});

/**
 * The onboarding guides' examples run: every `<!-- example NAME config -->` block passes config
 * lint (connector configs included), and its converter, given the `<!-- example NAME payload -->`
 * block, returns exactly the `<!-- example NAME output -->` block, with valid records. Every JSON
 * block of the onboarding and connector pages (the policy documents) parses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { lintConfig } from '../../src/app/config-lint.ts';
import { testConverter } from '../../src/converters/index.ts';

const DOCS = new URL('../../docs/', import.meta.url).pathname;
const ONBOARDING = join(DOCS, 'onboarding');

/** The fenced blocks of a page, each with the `<!-- example NAME PART -->` marker right above it, if any. */
function blocks(text: string): Array<{ lang: string; body: string; example?: { name: string; part: string } }> {
  const found: Array<{ lang: string; body: string; example?: { name: string; part: string } }> = [];
  const re = /(?:<!-- example (\S+) (\S+) -->\n)?```(\w*)\n([\s\S]*?)\n```/g;
  for (const m of text.matchAll(re)) {
    found.push({ lang: m[3] ?? '', body: m[4] ?? '', ...(m[1] && m[2] ? { example: { name: m[1], part: m[2] } } : {}) });
  }
  return found;
}

interface Example { page: string; config?: string; payload?: string; output?: string }

function examples(): Example[] {
  const byName = new Map<string, Example>();
  for (const page of readdirSync(ONBOARDING).filter((f) => f.endsWith('.md'))) {
    for (const b of blocks(readFileSync(join(ONBOARDING, page), 'utf8'))) {
      if (!b.example) continue;
      const key = `${page}#${b.example.name}`;
      const ex = byName.get(key) ?? { page };
      assert.ok(['config', 'payload', 'output'].includes(b.example.part), `${key}: unknown part ${b.example.part}`);
      ex[b.example.part as 'config' | 'payload' | 'output'] = b.body;
      byName.set(key, ex);
    }
  }
  return [...byName.entries()].map(([key, ex]) => ({ ...ex, page: key }));
}

describe('onboarding examples', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'cb-onboarding-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const all = examples();
  it('the guides have examples', () => {
    assert.ok(all.length >= 2, `examples found: ${all.map((e) => e.page).join(', ')}`);
  });

  for (const ex of all) {
    it(`${ex.page}: the config passes lint and the converter returns the output shown`, async () => {
      assert.ok(ex.config && ex.payload && ex.output, `${ex.page} has a config, a payload and an output block`);
      const file = join(dir, `${ex.page.replace(/[^\w]/g, '_')}.yaml`);
      writeFileSync(file, ex.config);
      const lint = await lintConfig(file, {});
      assert.ok(lint.ok, `config lint: ${JSON.stringify(lint.problems)}`);

      const converter = (parse(ex.config) as { converters: Array<{ script: string }> }).converters[0];
      assert.ok(converter, 'the config has a converter');
      const result = await testConverter({ type: 'uplink', language: 'javascript', script: converter.script, payload: Buffer.from(ex.payload), metadata: {} });
      assert.equal(result.error, undefined, JSON.stringify(result.error));
      assert.deepEqual(result.output, JSON.parse(ex.output));
      assert.ok(result.records && result.records.length > 0, 'the output normalises into records that would be stored');
    });
  }

  for (const folder of ['onboarding', 'connectors']) {
    it(`every JSON block of docs/${folder}/ parses (policy documents, rules)`, () => {
      let count = 0;
      for (const page of readdirSync(join(DOCS, folder)).filter((f) => f.endsWith('.md'))) {
        for (const b of blocks(readFileSync(join(DOCS, folder, page), 'utf8')).filter((x) => x.lang === 'json')) {
          count++;
          assert.doesNotThrow(() => JSON.parse(b.body), `${folder}/${page}: ${b.body.slice(0, 80)}`);
        }
      }
      assert.ok(count > 0);
    });
  }
});

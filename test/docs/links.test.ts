/**
 * Every relative link of the README and the docs points at a file of the repository, and every
 * `#anchor` at a heading of its page (GitHub's heading ids), so no page points nowhere.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith('.md') ? [path] : [];
  });
}

/** GitHub's id of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1] ?? '')));
}

describe('documentation links', () => {
  const pages = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];
  for (const page of pages) {
    it(`${relative(ROOT, page)}: relative links and anchors resolve`, () => {
      const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1] ?? '';
        if (/^[a-z]+:/i.test(link)) continue;
        const [path = '', anchor] = link.split('#');
        const target = path ? join(dirname(page), path) : page;
        assert.ok(existsSync(target), `${link}: no such file`);
        if (anchor && target.endsWith('.md')) assert.ok(anchors(target).has(anchor), `${link}: no heading with that id in ${relative(ROOT, target)}`);
      }
    });
  }
});

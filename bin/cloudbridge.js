#!/usr/bin/env node
// The cloudbridge binary. In a clone it runs the TypeScript sources (Node 24 type stripping); the
// npm package ships no src/ but the compiled dist/ (`npm run build`, run by prepack), because Node
// refuses to strip types from files under node_modules. Sources first, so a stale dist/ left in a
// clone by `npm pack` never runs in place of the code being edited.
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`cloudbridge needs Node 24 or newer (this is Node ${process.versions.node}). Install Node 24 (or use scripts/cb in a clone, which installs it).`);
  process.exit(1);
}
const sources = new URL('../src/cli/main.ts', import.meta.url);
await import(existsSync(sources) ? sources.href : new URL('../dist/cli/main.js', import.meta.url).href);

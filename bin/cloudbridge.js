#!/usr/bin/env node
// The cloudbridge binary. Node 24 runs the TypeScript sources directly (type stripping).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`cloudbridge needs Node 24 or newer (this is Node ${process.versions.node}). Use scripts/cb, which installs it.`);
  process.exit(1);
}
await import('../src/cli/main.ts');

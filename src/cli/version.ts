/** `cloudbridge --version` / `cloudbridge version`: the package version and the Node version. */
import { readFileSync } from 'node:fs';

/** The `version` of package.json (two folders up from here, in the sources and in the build alike). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export function versionLine(): string {
  return `cloudbridge ${packageVersion()} (Node ${process.versions.node})`;
}

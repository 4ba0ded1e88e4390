/**
 * The imported config as a Cloudbridge config file: `converters:` and `integrations:`, with a
 * header comment listing the environment variables to set, the TBEL converters to port, what was
 * not imported and why, and the notes. Every `${...}` of the imported text (converter scripts,
 * topic patterns) that the config file loader would replace (`${UPPER_CASE}`, `$${...}`) is escaped
 * with one more `$`, so it loads as written; only the secret references stay `${NAME}`.
 */
import { stringify } from 'yaml';
import type { ImportResult } from './types.ts';

const ENV_REF = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function escapeRefs(value: unknown, keep: Set<string>): unknown {
  if (typeof value === 'string') {
    if (keep.has(value)) return value;
    // The loader replaces ${UPPER_CASE} and turns $${...} into ${...}; ${lowerCase} stays as written.
    return value.replace(ENV_REF, (m, escaped: string, name: string) => (escaped || /^[A-Z_][A-Z0-9_]*$/.test(name) ? `$${m}` : m));
  }
  if (Array.isArray(value)) return value.map((v) => escapeRefs(v, keep));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeRefs(v, keep)]));
  return value;
}

function line(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}

export function headerOf(r: Omit<ImportResult, 'yaml'>, sources: string[]): string[] {
  const out = [`Cloudbridge converters and integrations imported from ThingsBoard (${sources.join(', ')}) by "cloudbridge import-thingsboard".`];
  out.push('Add store, server and logging as needed; see docs/configuration.md and docs/thingsboard-import.md.');
  if (r.env.length > 0) {
    out.push('', 'Environment variables to set (secrets are not written here):');
    for (const e of r.env) out.push(`  ${e.name}: integration "${e.integration}" ${e.field}: ${line(e.description)}${e.inExport ? '' : ' [not in the export]'}`);
  }
  const ports = r.tbel.filter((t) => t.outcome === 'needs-port');
  if (ports.length > 0) {
    out.push('', 'TBEL converters to port to JavaScript (imported as placeholders; their integrations are disabled):');
    for (const t of ports) out.push(`  "${t.converter}": lines ${t.lines.map((l) => l.line).join(', ')}`);
  }
  if (r.unmapped.length > 0) {
    out.push('', 'Not imported (no Cloudbridge equivalent):');
    for (const u of r.unmapped) out.push(`  ${u.entity} ${u.field}: ${line(u.reason)}`);
  }
  if (r.warnings.length > 0) {
    out.push('', 'Notes:');
    for (const w of r.warnings) out.push(`  ${line(w)}`);
  }
  if (r.skipped.length > 0) {
    out.push('', 'Skipped:');
    for (const s of r.skipped) out.push(`  ${s.source} ${s.entity}: ${line(s.reason)}`);
  }
  return out;
}

export function toYaml(r: Omit<ImportResult, 'yaml'>, sources: string[]): string {
  const keep = new Set(r.env.map((e) => `\${${e.name}}`));
  const body = stringify(escapeRefs(r.config, keep), { lineWidth: 0, blockQuote: 'literal' });
  const header = headerOf(r, sources).map((l) => (l ? `# ${l}` : '#')).join('\n');
  return `${header}\n\n${body}`;
}

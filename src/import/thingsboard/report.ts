/** The import report as text, for the command line (stderr): what was imported and what to do next. */
import type { ImportResult } from './types.ts';

export function formatReport(r: ImportResult): string {
  const { converters, integrations } = r.config;
  const out = [`Imported ${converters.length} converter(s) and ${integrations.length} integration(s).`];
  if (converters.length > 0) {
    out.push('Converters:');
    for (const c of converters) {
      const t = r.tbel.find((x) => x.converter === c.name);
      out.push(`  "${c.name}" (${c.type}${t ? `, TBEL ${t.outcome === 'ported-as-is' ? 'kept unchanged as JavaScript' : 'NEEDS A PORT to JavaScript'}` : ', JavaScript unchanged'})`);
    }
  }
  if (integrations.length > 0) {
    out.push('Integrations:');
    for (const i of integrations) {
      out.push(`  "${i.name}" (${i.type}, ${i.enabled ? 'enabled' : 'disabled'}): uplink "${i.uplinkConverter}"${i.downlinkConverter ? `, downlink "${i.downlinkConverter}"` : ''}`);
    }
  }
  if (r.env.length > 0) {
    out.push('Environment variables to set:');
    for (const e of r.env) out.push(`  ${e.name}  integration "${e.integration}" ${e.field}: ${e.description}${e.inExport ? '' : ' [not in the export]'}`);
  }
  for (const t of r.tbel.filter((x) => x.outcome === 'needs-port')) {
    out.push(`TBEL converter "${t.converter}" to port (imported as a placeholder that throws; its integrations are disabled):`);
    for (const l of t.lines) out.push(`  line ${l.line}: ${l.text.trim()}`, `    ${l.why}`);
  }
  if (r.unmapped.length > 0) {
    out.push('Not imported (no Cloudbridge equivalent):');
    for (const u of r.unmapped) out.push(`  ${u.entity} ${u.field}: ${u.reason}`);
  }
  if (r.warnings.length > 0) {
    out.push('Notes:');
    for (const w of r.warnings) out.push(`  ${w}`);
  }
  if (r.skipped.length > 0) {
    out.push('Skipped:');
    for (const s of r.skipped) out.push(`  ${s.source}: ${s.entity}: ${s.reason}`);
  }
  return out.join('\n');
}

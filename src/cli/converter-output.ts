/** `cloudbridge converter test` output for people: the records that would be stored and the script's log lines. */
import type { EntityRecord, KvValue } from '../core/model.ts';

function value(v: KvValue): string {
  return `${JSON.stringify(v.value)} (${v.type})`;
}

/** One block per record: the entity, its telemetry points (time, key, value, type) and attributes. */
export function formatRecords(records: readonly EntityRecord[]): string[] {
  if (records.length === 0) return ['(no records: the converter returned nothing to store)'];
  const lines: string[] = [];
  for (const r of records) {
    const extras = [`type ${r.type}`, ...(r.label ? [`label ${r.label}`] : []), ...(r.customerName ? [`customer ${r.customerName}`] : []), ...(r.groupName ? [`group ${r.groupName}`] : [])];
    lines.push(`${r.kind} ${r.name} (${extras.join(', ')})`);
    if (r.telemetry.length > 0) {
      lines.push('  telemetry:');
      for (const p of r.telemetry) lines.push(`    ${new Date(p.ts).toISOString()}  ${p.key} = ${value(p.value)}${p.implicitTs ? '  [no ts: the message time]' : ''}`);
    }
    if (r.attributes.length > 0) {
      lines.push('  attributes (client scope):');
      for (const a of r.attributes) lines.push(`    ${a.key} = ${value(a.value)}`);
    }
    for (const reply of r.rpcReplies ?? []) lines.push(`  rpc reply ${reply.id}: ${JSON.stringify(reply.data)}`);
    for (const req of r.attributeRequests ?? []) lines.push(`  attribute request ${req.id} (${req.client ? 'client' : 'shared'}): ${req.keys.join(', ')}`);
  }
  return lines;
}

/** The script's console lines, under a heading; nothing when it logged nothing. */
export function formatLogs(logs: readonly string[]): string[] {
  return logs.length === 0 ? [] : ['console:', ...logs.map((l) => `  ${l}`)];
}

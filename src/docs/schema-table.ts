/** Renders a JSON Schema (TypeBox) object as a Markdown reference table, one row per field. */
import type { TSchema } from '@sinclair/typebox';

interface Shape {
  type?: string | string[];
  properties?: Record<string, Shape>;
  required?: string[];
  items?: Shape;
  anyOf?: Shape[];
  const?: unknown;
  default?: unknown;
  description?: string;
  secret?: boolean;
  fromFile?: boolean;
  minimum?: number;
  maximum?: number;
  examples?: unknown[];
  enum?: unknown[];
}

function typeName(s: Shape): string {
  if (s.anyOf) return [...new Set(s.anyOf.map(typeName))].join(' \\| ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((e) => `\`${JSON.stringify(e)}\``).join(' \\| ');
  if (s.type === 'array') return `array of ${s.items ? typeName(s.items) : 'any'}`;
  if (Array.isArray(s.type)) return s.type.join(' \\| ');
  return s.type ?? 'any';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function rows(s: Shape, prefix: string, required: boolean, out: string[]): void {
  const range = s.minimum !== undefined || s.maximum !== undefined ? ` (${s.minimum ?? '…'}–${s.maximum ?? '…'})` : '';
  if (prefix) {
    const def = s.default !== undefined ? `\`${JSON.stringify(s.default)}\`` : '';
    const notes = [s.description ?? '', s.secret ? '**Secret**: encrypted at rest, shown as `***`.' : '', s.fromFile ? 'In a config file it may be `file:PATH` (read from that file, relative to the config file).' : '', s.examples?.length ? `Example: \`${JSON.stringify(s.examples[0])}\`` : ''].filter(Boolean).join(' ');
    out.push(`| \`${prefix}\` | ${typeName(s)}${range} | ${required && s.default === undefined ? 'yes' : ''} | ${def} | ${cell(notes)} |`);
  }
  const obj = s.type === 'object' ? s : undefined;
  if (obj?.properties) {
    for (const [k, sub] of Object.entries(obj.properties)) rows(sub, prefix ? `${prefix}.${k}` : k, obj.required?.includes(k) ?? false, out);
  }
  if (s.type === 'array' && s.items?.properties) {
    for (const [k, sub] of Object.entries(s.items.properties)) rows(sub, `${prefix}[].${k}`, s.items.required?.includes(k) ?? false, out);
  }
}

export function schemaTable(schema: TSchema): string {
  const out = ['| Field | Type | Required | Default | Description |', '|---|---|---|---|---|'];
  rows(schema as Shape, '', true, out);
  return out.join('\n');
}

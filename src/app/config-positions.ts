/**
 * Where a field of a config file is: `integrations[1].config.port` → line 14, column 5 of the
 * YAML text (the key's position; an array entry's own position; for a missing field, its nearest
 * parent that is there). Lint and start print problems as `file:line:column field: message`.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { FieldProblem } from './validate.ts';

export interface FieldPosition {
  line: number;
  column: number;
}

/** A problem of a config file; `line` and `column` (1-based) when the field is in the text. */
export interface LocatedProblem extends FieldProblem {
  line?: number;
  column?: number;
}

/** `integrations[1].config.port` → ['integrations', 1, 'config', 'port']. */
export function fieldPath(field: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1] as string);
  return out;
}

export class ConfigPositions {
  private readonly doc: Document;
  private readonly lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.doc = doc;
    this.lines = lines;
  }

  /** The position of `field`, or undefined when not even its first part is in the file. */
  at(field: string): FieldPosition | undefined {
    let node: unknown = this.doc.contents;
    let found: Node | undefined;
    for (const part of fieldPath(field)) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(part));
        if (!pair) break;
        found = isScalar(pair.key) ? pair.key : found;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part];
        if (!item) break;
        found = item as Node;
        node = item;
      } else {
        break;
      }
    }
    const offset = found?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** The problems with the position of their field added (unchanged when it has one or is not found). */
  locate(problems: readonly FieldProblem[]): LocatedProblem[] {
    return problems.map((p) => {
      const located = p as LocatedProblem;
      if (located.line !== undefined) return located;
      const at = this.at(p.field);
      return at ? { ...p, line: at.line, column: at.column } : { ...p };
    });
  }
}

/** `file:14:5 field: message` (or `file field: message` without a position). */
export function formatProblem(source: string, p: LocatedProblem): string {
  const where = p.line !== undefined ? `${source}:${p.line}:${p.column ?? 1}` : source;
  return p.field ? `${where} ${p.field}: ${p.message}` : `${where}: ${p.message}`;
}

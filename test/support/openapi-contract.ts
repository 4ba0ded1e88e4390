/**
 * Checks real API answers against the OpenAPI document the server serves: each answer's status
 * must be one its operation documents, and its body must validate against that response's schema
 * (JSON with ajv, other media types by content type, 204 empty). Records which operations were
 * exercised, with which statuses, so a test can report the ones it never reached.
 */
import { Ajv } from 'ajv';
import formats from 'ajv-formats';

// ajv-formats is CommonJS: its plugin is the module's `default` for TypeScript and the module itself for Node.
const addFormats = formats.default;

interface Media { schema?: unknown }
interface Operation {
  responses?: Record<string, { content?: Record<string, Media> }>;
  requestBody?: { content?: Record<string, Media> };
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

/** "~" and "/" escaped for a JSON pointer. */
const pointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

export class OpenApiContract {
  private readonly ajv: Ajv;
  private readonly templates: Array<{ key: string; method: string; path: string; pattern: RegExp; params: number }> = [];
  /** `METHOD path-template` → statuses seen. */
  readonly seen = new Map<string, Set<number>>();

  readonly doc: OpenApiDoc;

  constructor(doc: OpenApiDoc) {
    this.doc = doc;
    // OpenAPI 3.0 keywords (nullable is built into ajv; discriminator, example, ... are annotations here).
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(doc as object, 'openapi');
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
        this.templates.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, pattern, params: (path.match(/\{/g) ?? []).length });
      }
    }
    // A literal segment wins over a parameter (/integrations/check before /integrations/{id}).
    this.templates.sort((a, b) => a.params - b.params);
  }

  /** Every operation as `METHOD path-template`. */
  operations(): string[] {
    return this.templates.map((t) => t.key);
  }

  /** The operation a request reaches, or undefined for an undocumented route. */
  operationOf(method: string, url: string): { key: string; method: string; path: string } | undefined {
    const path = url.split('?')[0] ?? '';
    return this.templates.find((t) => t.method === method && t.pattern.test(path));
  }

  private validate(ref: string, value: unknown): string | null {
    const check = this.ajv.getSchema(ref) ?? this.ajv.compile({ $ref: ref });
    if (check(value)) return null;
    return (check.errors ?? []).map((e) => {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      return `body${e.instancePath} ${e.message ?? 'invalid'}${extra ? `: "${extra}"` : ''}`;
    }).join('; ');
  }

  /** What is wrong with a request body against the operation's documented one (null when it fits). */
  checkRequest(method: string, url: string, body: unknown): string | null {
    const op = this.operationOf(method, url);
    if (!op) return `${method} ${url}: no such operation in the document`;
    if (!this.doc.paths[op.path]?.[op.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema) return `${op.key}: documents no JSON request body`;
    return this.validate(`openapi#/paths/${pointer(op.path)}/${op.method.toLowerCase()}/requestBody/content/application~1json/schema`, body);
  }

  /** The problems of one answer (empty when it matches the document); records the operation as exercised. */
  checkResponse(method: string, url: string, status: number, contentType: string | null, text: string): string[] {
    const op = this.operationOf(method, url);
    if (!op) return [`${method} ${url} → ${status}: the route is not in the document`];
    const statuses = this.seen.get(op.key) ?? new Set<number>();
    statuses.add(status);
    this.seen.set(op.key, statuses);
    const response = this.doc.paths[op.path]?.[op.method.toLowerCase()]?.responses?.[String(status)];
    if (!response) return [`${op.key} answered ${status}, which the document does not list (text: ${text.slice(0, 300)})`];
    const media = Object.keys(response.content ?? {});
    if (media.length === 0) return text === '' ? [] : [`${op.key} → ${status}: documented without a body, but answered ${text.slice(0, 200)}`];
    const type = (contentType ?? '').split(';')[0]?.trim() ?? '';
    if (!media.includes(type)) return [`${op.key} → ${status}: content type ${type || '(none)'} is not the documented ${media.join(', ')}`];
    if (type !== 'application/json') return [];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`${op.key} → ${status}: the body is not JSON: ${text.slice(0, 200)}`];
    }
    const problem = this.validate(`openapi#/paths/${pointer(op.path)}/${op.method.toLowerCase()}/responses/${status}/content/application~1json/schema`, body);
    return problem ? [`${op.key} → ${status}: ${problem} (body: ${text.slice(0, 400)})`] : [];
  }

  /** Validates a value against a component (e.g. the Error envelope of an answer outside the document). */
  checkComponent(name: string, value: unknown): string | null {
    return this.validate(`openapi#/components/schemas/${pointer(name)}`, value);
  }
}

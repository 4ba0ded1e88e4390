/**
 * Secrets of an imported integration: in a config file each becomes a `${CB_<TYPE>_<NAME>_<FIELD>}`
 * reference, listed with what to put there; applied through the API the export's value is used
 * (the config service encrypts it like any integration secret), or the value the request gives
 * for that variable when the export has none.
 */
import type { EnvVar, SecretMode } from './types.ts';

/** `AWS IoT plant` → `AWS_IOT_PLANT`. */
export function envSegment(text: string): string {
  return text.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase() || 'X';
}

/** `secretAccessKey` → `SECRET_ACCESS_KEY`. */
function fieldSegment(field: string): string {
  return envSegment(field.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
}

export class SecretSink {
  readonly env: EnvVar[] = [];
  private readonly mode: SecretMode;
  private readonly given: Record<string, string>;
  private readonly taken = new Set<string>();

  constructor(mode: SecretMode, given: Record<string, string> = {}) {
    this.mode = mode;
    this.given = given;
  }

  /** The env var name for a field of an integration: CB_ + the type (unless the name starts with it) + the name + the field. */
  nameFor(tbType: string, integration: string, field: string): string {
    const type = envSegment(tbType);
    const name = envSegment(integration);
    const base = `CB_${name.startsWith(type) ? name : `${type}_${name}`}_${fieldSegment(field)}`;
    let candidate = base;
    for (let n = 2; this.taken.has(candidate); n++) candidate = `${base}_${n}`;
    this.taken.add(candidate);
    return candidate;
  }

  /**
   * What to write for a secret: `${NAME}` (env mode) or the value (values mode: the export's, else
   * the one given for NAME; undefined when neither exists). `value` undefined: the export lacks it.
   * `field` names the variable; `path` (default `field`) is where it sits in the connector config.
   */
  secret(opts: { tbType: string; integration: string; field: string; path?: string; description: string; value: string | undefined }): string | undefined {
    const name = this.nameFor(opts.tbType, opts.integration, opts.field);
    const inExport = opts.value !== undefined && opts.value !== '';
    this.env.push({ name, integration: opts.integration, field: `config.${opts.path ?? opts.field}`, description: opts.description, inExport });
    if (this.mode === 'env') return `\${${name}}`;
    return inExport ? opts.value : this.given[name];
  }
}

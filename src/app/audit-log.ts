/**
 * The audit log (docs/audit.md): who changed what, when, with the object before and after. The
 * services that make changes (converters, integrations, forwarders, tokens, dead letters) record
 * each change here right after the store took it, with the actor the caller gave: the API token's
 * name, `cli`, or `config-file` (start and reload). A save that changes nothing records nothing.
 *
 * Snapshots carry no secret: the services pass them redacted the way their API views are
 * (secret fields as "***"), and any property named `token` or `hash` is replaced by "***" here,
 * whatever its object.
 */
import type { Clock } from '../core/clock.ts';
import { toCloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { AuditInput, AuditSource, AuditStore } from '../store/types.ts';
import { REDACTED } from './secrets.ts';

/** Who makes a change: where it came from and its name there. */
export interface Actor {
  source: AuditSource;
  /** The API token's name, `cli` or `config-file`. */
  name: string;
}

export const CLI_ACTOR: Actor = { source: 'cli', name: 'cli' };
export const CONFIG_FILE_ACTOR: Actor = { source: 'config-file', name: 'config-file' };
export const apiActor = (tokenName: string): Actor => ({ source: 'api', name: tokenName });

/** One change: the entity and its snapshots (null: it did not exist before / no longer exists). */
export type AuditChange = Omit<AuditInput, 'ts' | 'source' | 'actor'>;

/** Property names whose values are credentials whatever object holds them. */
const TOKEN_KEYS = new Set(['token', 'hash']);

/** A copy of a JSON value with the values of `token` and `hash` properties redacted. */
export function withoutTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTokens);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, TOKEN_KEYS.has(k.toLowerCase()) && v !== null ? REDACTED : withoutTokens(v)]));
}

export interface AuditLogDeps {
  store: AuditStore;
  clock: Clock;
  /**
   * With a logger (the service), an entry that cannot be written is logged at error level and the
   * change it records stands; without one (the CLI), the failure is thrown to the caller.
   */
  log?: Logger;
}

export class AuditLog {
  private readonly deps: AuditLogDeps;

  constructor(deps: AuditLogDeps) {
    this.deps = deps;
  }

  /** Records changes made by `by`, in one store transaction. */
  async record(by: Actor, changes: AuditChange | readonly AuditChange[]): Promise<void> {
    const list = Array.isArray(changes) ? changes as readonly AuditChange[] : [changes as AuditChange];
    if (list.length === 0) return;
    const ts = this.deps.clock.now();
    const entries: AuditInput[] = list.map((c) => ({
      ts, source: by.source, actor: by.name, action: c.action, entityKind: c.entityKind, entityId: c.entityId, entityName: c.entityName,
      before: withoutTokens(c.before ?? null), after: withoutTokens(c.after ?? null),
    }));
    try {
      await this.deps.store.addAudit(entries);
    } catch (err) {
      if (!this.deps.log) throw err;
      this.deps.log.error({
        err: toCloudbridgeError(err).message, actor: by.name, source: by.source,
        changes: entries.map((e) => `${e.action} ${e.entityKind} ${e.entityName ?? e.entityId}`),
      }, 'audit entries could not be written; the changes they record were made');
    }
  }
}

/** Checks of caller-given values and refusal messages, the same in both SQL stores. */
import { CloudbridgeError } from '../core/errors.ts';
import type { AttributeScope, DownlinkOutcome, DownlinkStatus, EntityRecord } from '../core/model.ts';
import { DOWNLINK_OUTCOMES } from '../core/model.ts';
import type { ApiToken, DeadLetterState } from './types.ts';

const SCOPES: readonly AttributeScope[] = ['client', 'shared', 'server'];
const DOWNLINK_STATUSES: readonly DownlinkStatus[] = ['queued', 'sent', 'failed'];
const DEAD_LETTER_STATES: readonly DeadLetterState[] = ['pending', 'replayed', 'discarded'];

export function checkScope(scope: AttributeScope): void {
  if (!SCOPES.includes(scope)) throw new CloudbridgeError('CONFIG_INVALID', `attribute scope must be client, shared or server, not ${String(scope)}`, { field: 'scope' });
}

export function checkDownlinkStatus(status: DownlinkStatus): void {
  if (!DOWNLINK_STATUSES.includes(status)) throw new CloudbridgeError('CONFIG_INVALID', `downlink status must be queued, sent or failed, not ${String(status)}`, { field: 'status' });
}

export function checkDownlinkOutcome(outcome: DownlinkOutcome): void {
  if (!DOWNLINK_OUTCOMES.includes(outcome)) throw new CloudbridgeError('CONFIG_INVALID', `downlink outcome must be one of ${DOWNLINK_OUTCOMES.join(', ')}, not ${String(outcome)}`, { field: 'outcome' });
}

/**
 * How many attempts marking a downlink counts: `sent` and `failed` one; `queued` one only when an
 * error is given (a failed try to be retried).
 */
export function downlinkAttempt(status: DownlinkStatus, error: string | null | undefined): number {
  return status !== 'queued' || (error !== undefined && error !== null) ? 1 : 0;
}

export function checkDeadLetterState(state: DeadLetterState): void {
  if (!DEAD_LETTER_STATES.includes(state)) throw new CloudbridgeError('CONFIG_INVALID', `dead letter state must be pending, replayed or discarded, not ${String(state)}`, { field: 'state' });
}

export function checkTokenRole(role: ApiToken['role']): void {
  if (role !== 'admin' && role !== 'viewer') {
    throw new CloudbridgeError('CONFIG_INVALID', `token role must be admin or viewer, not ${String(role)}`, { field: 'role' });
  }
}

/** CONFLICT for a name another integration or converter has already. */
export function nameTaken(what: 'integration' | 'converter', name: string, cause?: unknown): CloudbridgeError {
  return new CloudbridgeError('CONFLICT', `${what} name "${name}" is already used by another ${what}`, { field: 'name' }, { cause });
}

/** CONFLICT for deleting a converter the named integrations use. */
export function converterInUse(id: string, integrationNames: readonly string[]): CloudbridgeError {
  return new CloudbridgeError('CONFLICT', `converter ${id} is used by integration(s) ${integrationNames.map((n) => `"${n}"`).join(', ')}`);
}

/** The dead letter error of records naming entities that do not exist when creating them is off. */
export function creationForbiddenMessage(missing: readonly EntityRecord[]): string {
  const names = [...new Set(missing.map((r) => `${r.kind === 'ASSET' ? 'asset' : 'device'} "${r.name}"`))];
  return `${names.join(', ')} ${names.length === 1 ? 'does' : 'do'} not exist and this integration may not create devices (allowCreateDevices is off)`;
}

/** The dead-letter filter shared by the listing and the bulk replay and discard (docs/api.md). */
import { Type } from '@sinclair/typebox';
import type { DeadLetterQuery, DeadLetterState } from '../store/types.ts';
import type { ApiDeps } from './deps.ts';

export interface DeadLetterFilter {
  integration?: string;
  state?: DeadLetterState;
  stage?: string;
  errorCode?: string;
  from?: number;
  to?: number;
}

export const deadLetterFilterFields = {
  integration: Type.Optional(Type.String({ description: 'Integration id or name' })),
  state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('replayed'), Type.Literal('discarded')])),
  stage: Type.Optional(Type.String({ description: 'Stage that failed: receive, convert, provision, store, forward' })),
  errorCode: Type.Optional(Type.String({ description: 'Error code, e.g. CONVERTER_RUNTIME' })),
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'Created at or after (ms since the epoch)' })),
  to: Type.Optional(Type.Integer({ minimum: 0, description: 'Created before (ms since the epoch)' })),
};

/** The store query of a filter; an unknown integration is NOT_FOUND. */
export async function deadLetterQuery(deps: ApiDeps, f: DeadLetterFilter): Promise<DeadLetterQuery> {
  const integrationId = f.integration ? (await deps.configService.requireIntegration(f.integration)).id : undefined;
  const q: DeadLetterQuery = {};
  if (integrationId) q.integrationId = integrationId;
  if (f.state) q.state = f.state;
  if (f.stage) q.stage = f.stage;
  if (f.errorCode) q.errorCode = f.errorCode;
  if (f.from !== undefined) q.from = f.from;
  if (f.to !== undefined) q.to = f.to;
  return q;
}

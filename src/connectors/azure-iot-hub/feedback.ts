/**
 * Cloud-to-device feedback → the downlink's final outcome. IoT Hub's feedback records
 * (`/messages/serviceBound/feedback`, asked for with `ack: full`) name the message id Cloudbridge
 * gave the message (its downlink id) and a status code: Success, Expired, DeliveryCountExceeded,
 * Rejected, Purged. Records for messages Cloudbridge did not send (another application's, or sent
 * outside the downlink queue) are counted and skipped.
 */
import type { ConnectorContext } from '../../core/connector.ts';
import { isCloudbridgeError } from '../../core/errors.ts';
import type { DownlinkOutcome } from '../../core/model.ts';
import type { FeedbackRecord } from './iot-hub-api.ts';

const OUTCOMES: Record<string, DownlinkOutcome> = {
  success: 'delivered',
  expired: 'expired',
  deliverycountexceeded: 'deliveryCountExceeded',
  rejected: 'rejected',
  purged: 'purged',
};

export function outcomeOf(statusCode: string): DownlinkOutcome | undefined {
  return OUTCOMES[statusCode.toLowerCase()];
}

export interface FeedbackCounts { records: number; recorded: number; unknown: number; repeats: number }

/** Records the outcomes of one feedback batch; rejects only when the store cannot record one. */
export async function recordFeedback(ctx: Pick<ConnectorContext, 'downlinkOutcome' | 'log'>, records: FeedbackRecord[], counts: FeedbackCounts): Promise<void> {
  for (const r of records) {
    counts.records++;
    const outcome = outcomeOf(String(r.statusCode ?? ''));
    if (outcome === undefined || !r.originalMessageId) {
      counts.unknown++;
      ctx.log.warn({ statusCode: r.statusCode, messageId: r.originalMessageId }, 'IoT Hub feedback record with an unknown status code or no message id');
      continue;
    }
    try {
      if (await ctx.downlinkOutcome(r.originalMessageId, outcome, r.description)) counts.recorded++;
      else counts.repeats++;
    } catch (err) {
      if (!isCloudbridgeError(err) || err.code !== 'NOT_FOUND') throw err;
      counts.unknown++;
    }
  }
}

/**
 * What a refused publish means: ThingsBoard's MQTT 5 PUBACK reason codes (and MQTT 3.1.1's
 * close-on-error) → what Cloudbridge does with the rows it carried, the error code and the fix.
 *
 * - `row`: something in the data (a value ThingsBoard cannot convert, a packet too large): the
 *   publish is split until the refused row is alone, which goes to the dead letters.
 * - `device`: the device as a whole is refused (device limit reached, not allowed): every row of
 *   that device in the publish goes to the dead letters; the other devices' rows are re-sent.
 * - `retry`: a passing condition (rate limit, server busy): nothing is dead-lettered, the publish
 *   is tried again after the reconnect backoff. ThingsBoard also answers a rate limit with 0x97,
 *   after a `v1/gateway/disconnect` notice for the device: the pump then retries (outbox-pump.ts).
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { PublishRefusedError } from './gateway-session.ts';

export type RefusalScope = 'row' | 'device' | 'retry';

export interface Refusal {
  reasonCode: number;
  scope: RefusalScope;
  /** Name of the reason code (MQTT 5). */
  reason: string;
  fix: string;
}

const REFUSALS: Record<number, Omit<Refusal, 'reasonCode'>> = {
  0x80: { scope: 'row', reason: 'unspecified error', fix: 'ThingsBoard could not process the data; check its transport log for this device, fix the uplink converter and replay the dead letter.' },
  0x83: { scope: 'row', reason: 'implementation specific error', fix: 'ThingsBoard could not process the data; check its transport log for this device, fix the uplink converter and replay the dead letter.' },
  0x87: { scope: 'device', reason: 'not authorized', fix: 'The gateway device may not publish for this device: check that the gateway device has "Is gateway" checked and that the device is not owned by another gateway or customer.' },
  0x89: { scope: 'retry', reason: 'server busy', fix: 'ThingsBoard is overloaded; Cloudbridge retries. If it lasts, check the ThingsBoard queues.' },
  0x95: { scope: 'row', reason: 'packet too large', fix: 'The row alone is larger than ThingsBoard accepts in one publish: raise ThingsBoard\'s transport.mqtt.netty.max_payload_size (env NETTY_MAX_PAYLOAD_SIZE, default 65536) and the forwarder\'s maxPayloadBytes with it, or make the converter store less per message; then replay the dead letter.' },
  0x96: { scope: 'retry', reason: 'message rate too high', fix: 'ThingsBoard\'s rate limits (tenant profile: transport limits) are reached; Cloudbridge retries after backing off. Raise the limits, or lower batchMaxMessages and maxInFlight.' },
  0x97: { scope: 'device', reason: 'quota exceeded', fix: 'ThingsBoard refused the device: the tenant\'s device limit (tenant profile: max devices) is reached, or its rate limits. Raise the limit or delete unused devices, then replay the dead letters.' },
  0x99: { scope: 'row', reason: 'payload format invalid', fix: 'ThingsBoard could not parse the data (a key or value it does not accept); fix the uplink converter and replay the dead letter.' },
};

/** The refusal a PUBACK reason code (≥ 0x80) stands for; unknown codes are treated as row problems. */
export function refusalFor(reasonCode: number): Refusal {
  const known = REFUSALS[reasonCode];
  return known
    ? { reasonCode, ...known }
    : { reasonCode, scope: 'row', reason: `reason code 0x${reasonCode.toString(16)}`, fix: 'ThingsBoard refused the data; check its transport log for this device.' };
}

/** The refusal of a row after MQTT 3.1.1 closed the connection on it (alone) twice. */
export const CLOSE_ON_ERROR: Refusal = {
  reasonCode: 0,
  scope: 'row',
  reason: 'connection closed after this row was published (MQTT 3.1.1 close-on-error)',
  fix: 'ThingsBoard closes an MQTT 3.1.1 connection on data it cannot process: check its transport log, fix the uplink converter and replay the dead letter. With protocolVersion 5 ThingsBoard answers with a reason code instead.',
};

/** The dead letter's error text for a refused row. */
export function refusalMessage(r: Refusal, deviceName: string): string {
  const code = r.reasonCode ? ` (PUBACK reason code 0x${r.reasonCode.toString(16)})` : '';
  return `ThingsBoard refused the data of device "${deviceName}": ${r.reason}${code}. ${r.fix}`;
}

/** MQTT 5 0x90 topic name invalid: ThingsBoard's answer to `v1/gateway/*` from a device that is not a gateway. */
const TOPIC_NAME_INVALID = 0x90;

/**
 * A failed publish that stops the session rather than a row: anything but a PUBACK refusal, and a
 * refusal of the gateway topics themselves (0x90), which says the credentials are not a gateway's:
 * PERMISSION_DENIED (not retried at the short backoff) instead of dead-lettering every row.
 */
export function sessionFailure(err: unknown): unknown {
  if (!(err instanceof PublishRefusedError)) return err;
  if (err.reasonCode !== TOPIC_NAME_INVALID) return null;
  return new CloudbridgeError('PERMISSION_DENIED',
    'ThingsBoard refused the gateway API topics (v1/gateway/*, PUBACK reason code 0x90 topic name invalid): the device whose credentials the forwarder uses is not a gateway. Tick "Is gateway" in the device\'s details in ThingsBoard, or use the access token of a gateway device.',
    { field: 'accessToken' });
}

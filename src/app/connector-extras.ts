/**
 * What the runtime gives a connector beyond intake (ADR 015): sending encoded downlinks, recording a sent downlink's final
 * outcome (stored with the downlink, and a DEBUG_DOWNLINK event), and running a connector action
 * for the API.
 */
import type { Clock } from '../core/clock.ts';
import type { Connector } from '../core/connector.ts';
import { CloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { DownlinkOutcome, EncodedDownlink } from '../core/model.ts';
import type { DownlinkConverterRunner, DownlinkInput } from '../converters/types.ts';
import type { Store } from '../store/types.ts';

export interface OutcomeDeps { store: Store; clock: Clock; log: Logger; integrationId: string }

export async function recordDownlinkOutcome(deps: OutcomeDeps, downlinkId: string, outcome: DownlinkOutcome, detail?: string): Promise<boolean> {
  const at = deps.clock.now();
  const first = await deps.store.recordDownlinkOutcome(downlinkId, outcome, detail ?? null, at);
  if (!first) return false;
  const d = await deps.store.getDownlink(downlinkId);
  await deps.store.addEvents([{
    integrationId: deps.integrationId, type: 'DEBUG_DOWNLINK', ts: at,
    body: { status: outcome === 'delivered' ? 'OK' : 'ERROR', downlinkId, deviceName: d?.deviceName, msgType: d?.msgType, outcome, ...(detail === undefined ? {} : { detail }) },
  }]);
  deps.log.info({ downlink: downlinkId, outcome }, 'downlink outcome');
  return true;
}

/** Runs the connector's action `name`; NOT_FOUND naming the actions it has when it has no such action. */
export async function runConnectorAction(connector: Connector | null | undefined, type: string, name: string, input: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
  const action = connector?.actions?.[name];
  if (action === undefined) {
    const names = Object.keys(connector?.actions ?? {});
    throw new CloudbridgeError('NOT_FOUND', `the ${type} connector has no action "${name}"${names.length > 0 ? `; it has: ${names.join(', ')}` : ''}`, { field: 'name' });
  }
  return action.run(input, signal);
}

/**
 * Encodes a downlink request and hands each payload to the connector, with what it carries from the
 * request: the stored downlink's id (for its outcome), the message type and the device.
 */
export async function encodeAndSend(connector: Connector, type: string, runner: DownlinkConverterRunner, input: DownlinkInput, signal: AbortSignal): Promise<{ sent: number; raw: unknown }> {
  if (!connector.sendDownlink) throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', `the ${type} connector cannot send downlinks`);
  const conversion = await runner.encode(input);
  const request = requestFields(input);
  for (const encoded of conversion.encoded) await connector.sendDownlink({ ...encoded, ...request }, signal);
  return { sent: conversion.encoded.length, raw: conversion.raw };
}

function requestFields(input: DownlinkInput): Pick<EncodedDownlink, 'msgType' | 'downlinkId' | 'deviceName'> {
  const deviceName = input.metadata['deviceName'];
  return { msgType: input.msgType, ...(input.downlinkId === undefined ? {} : { downlinkId: input.downlinkId }), ...(deviceName === undefined ? {} : { deviceName }) };
}

/**
 * The ThingsBoard gateway-API test double: public API. What it implements and leaves out: README.md.
 *
 *   import { startThingsBoardDouble, REASON } from '../peers/thingsboard/index.ts';
 *
 *   const tb = await startThingsBoardDouble({ maxDevices: 100 });      // a gateway with a random token
 *   // the forwarder connects to tb.url with username tb.gateway.token, no password (MQTT 3.1.1 or 5)
 *   await tb.waitFor(() => tb.telemetry('Device A').length === 10);    // no sleeping
 *   assert.deepEqual(tb.timeseries('Device A').map((p) => p.value), [...]);  // one per (key, ts)
 *   assert.equal(tb.telemetry('Device A').length, 10);                 // every point arrived once
 *   tb.setSharedAttributes('Device A', { interval: 5 });              // pushed on v1/gateway/attributes
 *   const reply = await tb.rpc('Device A', 'toggle', { pin: 1 }, { timeoutMs: 5000 });  // reply.data
 *   await tb.stop(); ...; await tb.start();                            // outage on the same port, state kept
 *   tb.holdPubacks(true); tb.refuseNext(1, REASON.QUOTA_EXCEEDED);     // faults
 *   await tb.dispose();
 *
 * Options (ThingsBoardDoubleOptions): devices (credentials; default one gateway), maxDevices,
 * rateLimit {messages, perMs}, maxPayloadBytes (65536), typeCastStrings (true), tls, port.
 */
export { startThingsBoardDouble, DEFAULT_GATEWAY_NAME, DEFAULT_MAX_PAYLOAD_BYTES } from './server.ts';
export type { ThingsBoardDouble } from './server.ts';
export { REASON, RETURN_CODE_3, GATEWAY_TOPIC, SUBSCRIBABLE_TOPICS, reasonName } from './codes.ts';
export type {
  AttributeEntry, AttributeRequestRecord, ClaimRecord, Counters, DeviceRecord, DeviceSpec, DoubleEvent, RefusalRecord,
  RpcReply, SessionInfo, TbValueType, TelemetryPoint, ThingsBoardDoubleOptions,
} from './types.ts';

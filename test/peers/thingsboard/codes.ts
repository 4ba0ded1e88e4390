/**
 * The MQTT return and reason codes the ThingsBoard double answers with, named as in the MQTT 5
 * specification (and in ThingsBoard's `ReturnCode`), plus the gateway topics it serves
 * (ThingsBoard's `MqttTopics`). Tests assert on these names rather than on bare numbers.
 */

/** MQTT 5 reason codes used in CONNACK, PUBACK, SUBACK and DISCONNECT. */
export const REASON = {
  SUCCESS: 0x00,
  UNSPECIFIED_ERROR: 0x80,
  IMPLEMENTATION_SPECIFIC: 0x83,
  CLIENT_IDENTIFIER_NOT_VALID: 0x85,
  BAD_USER_NAME_OR_PASSWORD: 0x86,
  NOT_AUTHORIZED: 0x87,
  KEEP_ALIVE_TIMEOUT: 0x8d,
  TOPIC_FILTER_INVALID: 0x8f,
  TOPIC_NAME_INVALID: 0x90,
  PACKET_TOO_LARGE: 0x95,
  QUOTA_EXCEEDED: 0x97,
  PAYLOAD_FORMAT_INVALID: 0x99,
} as const;

/** MQTT 3.1.1 CONNACK return codes. */
export const RETURN_CODE_3 = {
  ACCEPTED: 0,
  IDENTIFIER_REJECTED: 2,
  NOT_AUTHORIZED: 5,
} as const;

/** MQTT 3.1.1 SUBACK failure. */
export const SUBACK_FAILURE_3 = 0x80;

/** The reason code's name, for messages and counters ("0x97 QUOTA_EXCEEDED"). */
export function reasonName(code: number): string {
  const entry = Object.entries(REASON).find(([, value]) => value === code);
  return `0x${code.toString(16).padStart(2, '0')} ${entry ? entry[0] : 'UNKNOWN'}`;
}

/** The gateway API topics (ThingsBoard `MqttTopics.GATEWAY_*`). */
export const GATEWAY_TOPIC = {
  CONNECT: 'v1/gateway/connect',
  DISCONNECT: 'v1/gateway/disconnect',
  TELEMETRY: 'v1/gateway/telemetry',
  ATTRIBUTES: 'v1/gateway/attributes',
  ATTRIBUTES_REQUEST: 'v1/gateway/attributes/request',
  ATTRIBUTES_RESPONSE: 'v1/gateway/attributes/response',
  RPC: 'v1/gateway/rpc',
  CLAIM: 'v1/gateway/claim',
} as const;

/**
 * Topic filters ThingsBoard grants a subscription to (gateway and device API); any other filter is
 * refused in the SUBACK (0x80 on MQTT 3.1.1, 0x8F TOPIC_FILTER_INVALID on MQTT 5).
 */
export const SUBSCRIBABLE_TOPICS: ReadonlySet<string> = new Set([
  GATEWAY_TOPIC.ATTRIBUTES,
  GATEWAY_TOPIC.ATTRIBUTES_RESPONSE,
  GATEWAY_TOPIC.RPC,
  'v1/devices/me/attributes',
  'v1/devices/me/attributes/response/+',
  'v1/devices/me/rpc/request/+',
  'v1/devices/me/rpc/response/+',
]);

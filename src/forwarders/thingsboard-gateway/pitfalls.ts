/** Symptom → fix for the generated docs page of the `thingsboard-gateway` forwarder. */
export const TB_GATEWAY_PITFALLS: Array<{ symptom: string; fix: string }> = [
  { symptom: 'AUTH_FAILED right after connecting', fix: 'accessToken must be the access token of the gateway device (Devices → the device → Copy access token), not a user\'s JWT or a tenant API key.' },
  { symptom: 'misconfigured with PERMISSION_DENIED "not a gateway"', fix: 'The device whose token the forwarder uses needs "Is gateway" checked (device details): ThingsBoard refuses v1/gateway/* publishes of ordinary devices (MQTT 5 reason code 0x90; MQTT 3.1.1 closes the connection instead). Nothing is dead-lettered: the rows wait in the outbox.' },
  { symptom: 'Connected, but no devices appear in ThingsBoard', fix: 'Check that the integrations are listed in the forwarder\'s integrations, and that with MQTT 3.1.1 the device has "Is gateway" checked.' },
  { symptom: 'Devices appear with the profile "default"', fix: 'The device type comes from the uplink converter\'s deviceType; ThingsBoard creates a device profile of that name on first connect. A device created earlier keeps its profile.' },
  { symptom: 'The connection closes again and again (MQTT 3.1.1)', fix: 'ThingsBoard closes an MQTT 3.1.1 connection on data it cannot process; Cloudbridge finds and dead-letters the row, which takes a few reconnects. Use protocolVersion 5 to get a reason code per publish instead. A device without "Is gateway" checked also gets its connection closed.' },
  { symptom: 'Dead letters with FORWARD_REFUSED and "quota exceeded"', fix: 'The tenant profile\'s device limit is reached: raise it or delete unused devices, then replay the dead letters of stage forward.' },
  { symptom: 'Two instances, but the standby never sends', fix: 'That is by design: one connection per forwarder (a lease); the standby takes over within about 15 seconds after the holder stops.' },
];

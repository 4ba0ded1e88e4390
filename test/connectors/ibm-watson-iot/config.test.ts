/**
 * ibm-watson-iot without a broker: the config rules (API key form, organization, client ids,
 * topic parts), the topics it subscribes to and publishes commands to, the metadata of a received
 * event, device status messages as records, and the client id conflict detection.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IPublishPacket } from 'mqtt';
import type { CloudbridgeError } from '../../../src/core/errors.ts';
import {
  apiKeyOrg, readDeviceStatus, resolveWatsonConfig, subscriptionFilters, TakeoverWatch, validateWatsonConfig, watsonCommandTopic,
  watsonConnectSettings, watsonIotConnector, watsonUplinkBuilder, type WatsonIotConfig,
} from '../../../src/connectors/ibm-watson-iot/index.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { statusPayload } from './helpers.ts';

const BASE: WatsonIotConfig = { orgId: 'abc123', apiKey: 'a-abc123-x7y8z9w0v1', authToken: 'MP$08VKz!8rXwnR-Q*', appId: 'plant-1' };

function invalid(config: Partial<WatsonIotConfig>, field: string, message: RegExp): void {
  assert.throws(() => validateWatsonConfig({ ...BASE, ...config }), (err: CloudbridgeError) => {
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.equal(err.details.field, field);
    assert.match(err.message, message);
    return true;
  });
}

function packet(topic: string, payload: string, dup = false): IPublishPacket {
  return { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, dup, retain: false, messageId: 1 };
}

describe('ibm-watson-iot config', () => {
  it('connects to <orgId>.messaging.<domain>:8883 over TLS as a:<org>:<appId> with a durable session, the API key as user', () => {
    const c = resolveWatsonConfig(BASE);
    const s = watsonConnectSettings(c);
    assert.deepEqual({ host: s.host, port: s.port, tls: s.tls !== undefined, clientId: s.clientId, clean: s.cleanSession, user: s.username, v: s.protocolVersion },
      { host: 'abc123.messaging.internetofthings.ibmcloud.com', port: 8883, tls: true, clientId: 'a:abc123:plant-1', clean: false, user: 'a-abc123-x7y8z9w0v1', v: 4 });
    assert.equal(resolveWatsonConfig({ ...BASE, domain: 'internetofthings.example.cn' }).host, 'abc123.messaging.internetofthings.example.cn');
    assert.equal(resolveWatsonConfig({ ...BASE, host: 'iot.internal', domain: 'x' }).host, 'iot.internal');
  });

  it('sharedSubscription: client id A:<org>:<appId>, clean session (Watson IoT: non-durable only), with a warning', () => {
    const shared = { ...BASE, sharedSubscription: true };
    const s = watsonConnectSettings(resolveWatsonConfig(shared));
    assert.equal(s.clientId, 'A:abc123:plant-1');
    assert.equal(s.cleanSession, true);
    assert.ok(validateWatsonConfig(shared).warnings.some((w) => /only non-durable subscriptions.*lost/.test(w)));
    assert.deepEqual(validateWatsonConfig(BASE).warnings, []);
  });

  it('refuses an API key not of the a-<orgId>-<suffix> form, without echoing it', () => {
    for (const apiKey of ['d-qrs456-k1', 'a-qrs456', 'a-qrs456-k1-k2', 'MP$08VKz!8rXwnR-Q*', 'a--k1']) {
      invalid({ apiKey }, 'apiKey', /not a Watson IoT application API key .*a-<orgId>-<suffix>/);
      assert.throws(() => apiKeyOrg(apiKey), (err: CloudbridgeError) => !err.message.includes(apiKey));
    }
    assert.equal(apiKeyOrg('a-abc123-x7y8z9w0v1'), 'abc123');
  });

  it('refuses an orgId that is not the API key\'s organization, naming both', () => {
    invalid({ orgId: 'zzz999' }, 'orgId', /"zzz999" does not match the organization of apiKey \(a-abc123-…\).*set orgId to "abc123"/);
    invalid({ orgId: 'abc.123' }, 'orgId', /not an organization id/);
  });

  it('refuses appIds and event filter parts that cannot go into a client id or a topic level', () => {
    invalid({ appId: 'plant:1' }, 'appId', /must not contain ":"/);
    invalid({ events: [{ deviceType: 'pump/a' }] }, 'events[0].deviceType', /contains "\/"/);
    invalid({ events: [{ eventId: '#' }] }, 'events[0].eventId', /use "\+" alone for any/);
    invalid({ events: [{}, { deviceId: '+' }] }, 'events[1]', /listed twice/);
  });

  it('subscribes to one event filter per subscription, and to the status of the same devices when monitoring', () => {
    const events = resolveWatsonConfig({ ...BASE, events: [{ deviceType: 'pump', eventId: 'status' }, { deviceType: 'pump', format: 'json' }, { deviceType: 'valve', deviceId: 'v1' }] }).events;
    assert.deepEqual(subscriptionFilters(events, false).map((f) => f.filter), [
      'iot-2/type/pump/id/+/evt/status/fmt/+', 'iot-2/type/pump/id/+/evt/+/fmt/json', 'iot-2/type/valve/id/v1/evt/+/fmt/+',
    ]);
    assert.deepEqual(subscriptionFilters(events, true).slice(3).map((f) => f.filter), ['iot-2/type/pump/id/+/mon', 'iot-2/type/valve/id/v1/mon']);
    assert.deepEqual(subscriptionFilters(resolveWatsonConfig(BASE).events, true).map((f) => f.filter), ['iot-2/type/+/id/+/evt/+/fmt/+', 'iot-2/type/+/id/+/mon']);
  });

  it('testConnection reports a config error without connecting', async () => {
    const result = await watsonIotConnector.testConnection({ ...BASE, orgId: 'zzz999' }, AbortSignal.timeout(5000));
    assert.equal(result.ok, false);
    assert.equal(result.error?.code, 'CONFIG_INVALID');
    assert.equal(result.checks[0]?.name, 'config');
  });
});

describe('ibm-watson-iot messages', () => {
  it('an event carries deviceType, deviceId, eventId, format and topic; a redelivery is checked against the content hash', () => {
    const build = watsonUplinkBuilder({ deviceStatus: false, statusDeviceName: '${deviceId}' });
    const first = build(packet('iot-2/type/pump/id/p-7/evt/reading/fmt/json', '{"t":1}'), 1000);
    assert.deepEqual(first.metadata, { topic: 'iot-2/type/pump/id/p-7/evt/reading/fmt/json', deviceType: 'pump', deviceId: 'p-7', eventId: 'reading', format: 'json' });
    assert.equal(first.dedupe, 'record-only');
    assert.equal(first.records, undefined, 'events go to the converter');
    const again = build(packet('iot-2/type/pump/id/p-7/evt/reading/fmt/json', '{"t":1}', true), 2000);
    assert.equal(again.sourceKey, first.sourceKey);
    assert.equal(again.dedupe, 'check');
  });

  it('a status message becomes the connected attribute of the device statusDeviceName names', () => {
    const build = watsonUplinkBuilder({ deviceStatus: true, statusDeviceName: '${deviceType}-${deviceId}' });
    const up = build(packet('iot-2/type/pump/id/p-7/mon', statusPayload('Connect', '2024-05-01T10:00:00.000Z')), 1000);
    assert.deepEqual(up.records, [{
      kind: 'DEVICE', name: 'pump-p-7', type: 'pump', telemetry: [],
      attributes: [{ key: 'connected', value: { type: 'bool', value: true } }, { key: 'lastConnectTime', value: { type: 'long', value: Date.parse('2024-05-01T10:00:00.000Z') } }],
    }]);
    const down = build(packet('iot-2/type/pump/id/p-7/mon', statusPayload('Disconnect', '2024-05-01T11:00:00.000Z')), 1000);
    assert.deepEqual(down.records?.[0]?.attributes.map((a) => [a.key, a.value.value]), [['connected', false], ['lastDisconnectTime', Date.parse('2024-05-01T11:00:00.000Z')]]);
    const unreadable = build(packet('iot-2/type/pump/id/p-7/mon', 'not json'), 1000);
    assert.equal(unreadable.records, undefined, 'left to the converter');
    assert.equal(unreadable.metadata.messageType, 'status');
    assert.deepEqual(readDeviceStatus(Buffer.from('{"action":"connect"}')), { connected: true, at: null });
    assert.equal(readDeviceStatus(Buffer.from('{"Action":"FailedConnect"}')), null);
  });

  it('a command goes to the fixed topic, from our metadata keys or ThingsBoard\'s; each part is checked', () => {
    const msg = (metadata: Record<string, string>, contentType: 'JSON' | 'TEXT' = 'JSON') => ({ contentType, data: Buffer.from('{}'), metadata });
    assert.equal(watsonCommandTopic(msg({ deviceType: 'pump', deviceId: 'p-7', commandId: 'open', format: 'json' })), 'iot-2/type/pump/id/p-7/cmd/open/fmt/json');
    assert.equal(watsonCommandTopic(msg({ device_type: 'pump', device_id: 'p-7', command_id: 'open' }, 'TEXT')), 'iot-2/type/pump/id/p-7/cmd/open/fmt/text');
    const refused = (metadata: Record<string, string>, message: RegExp): void => {
      assert.throws(() => watsonCommandTopic(msg(metadata)), (err: CloudbridgeError) => err.code === 'DOWNLINK_FAILED' && !err.retryable && message.test(err.message));
    };
    refused({ deviceType: 'pump', deviceId: 'p-7' }, /must return metadata "commandId" \(or "command_id"\)/);
    refused({ deviceType: 'pump', deviceId: 'p/7', commandId: 'open' }, /metadata.deviceId "p\/7".*contains "\/"/);
    refused({ device_type: '+', deviceId: 'p-7', commandId: 'open' }, /metadata.device_type "\+".*wildcard/);
    refused({ deviceType: 'pump', deviceId: '', commandId: 'open' }, /"deviceId" \(or "device_id"\)/);
  });

  it('several broker closes within minutes are one client id conflict warning, not repeated within the hour', () => {
    const clock = new ManualClock();
    const warned: number[] = [];
    const watch = new TakeoverWatch({ clock, onConflict: (closes) => warned.push(closes) });
    watch.closed();
    clock.set(clock.now() + 400_000);
    watch.closed();
    watch.closed();
    assert.deepEqual(warned, [], 'the first close fell out of the 5-minute window');
    watch.closed();
    assert.deepEqual(warned, [3]);
    for (let i = 0; i < 5; i++) watch.closed();
    assert.deepEqual(warned, [3], 'quiet for an hour');
    clock.set(clock.now() + 3_600_000);
    for (let i = 0; i < 3; i++) watch.closed();
    assert.deepEqual(warned, [3, 3]);
    assert.equal(watch.brokerCloses, 12);
  });
});

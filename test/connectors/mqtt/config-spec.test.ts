import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseWithSchema } from '../../../src/app/validate.ts';
import { mqttConnector, MqttConfigSpec, resolveMqttConfig, type MqttConfig } from '../../../src/connectors/mqtt/index.ts';

interface SchemaNode { type?: string; description?: string; secret?: boolean; properties?: Record<string, SchemaNode>; items?: SchemaNode; anyOf?: SchemaNode[] }

function walk(node: SchemaNode, path: string, visit: (path: string, node: SchemaNode) => void): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    visit(`${path}${key}`, child);
    walk(child, `${path}${key}.`, visit);
    if (child.items) walk(child.items, `${path}${key}[].`, visit);
  }
}

const minimal: MqttConfig = { host: 'broker.local', clientId: 'cb-1', topicFilters: [{ filter: 'devices/#' }] };

describe('mqtt config spec', () => {
  it('describes every property and marks the secrets', () => {
    const secrets: string[] = [];
    walk(MqttConfigSpec as unknown as SchemaNode, '', (path, node) => {
      assert.ok(node.description && node.description.length > 10, `${path} has a description`);
      if (node.secret) secrets.push(path);
    });
    assert.deepEqual(secrets.sort(), ['password', 'tls.key', 'tls.passphrase']);
  });

  it('accepts a minimal config; the schema defaults and resolveMqttConfig agree', () => {
    const withDefaults = Value.Default(MqttConfigSpec as TSchema, structuredClone(minimal)) as MqttConfig;
    assert.equal(Value.Check(MqttConfigSpec, withDefaults), true);
    const fromSchema = resolveMqttConfig(withDefaults);
    const fromCode = resolveMqttConfig(minimal);
    assert.deepEqual(fromSchema, fromCode);
    assert.equal(fromCode.port, 1883);
    assert.equal(fromCode.cleanSession, false);
    assert.equal(fromCode.maxInFlight, 1000);
    assert.equal(fromCode.protocolVersion, 4);
    assert.equal(fromCode.downlinkTopicPattern, '${topic}');
    assert.deepEqual(fromCode.topicFilters, [{ filter: 'devices/#', qos: 1 }]);
    assert.deepEqual(fromCode.reconnect, { initialDelayMs: 1000, maxDelayMs: 60000 });
    assert.equal(resolveMqttConfig({ ...minimal, tls: { enabled: true } }).port, 8883);
  });

  it('rejects a config without topic filters or with an unknown property', () => {
    assert.equal(Value.Check(MqttConfigSpec, { host: 'h', topicFilters: [] }), false);
    assert.equal(Value.Check(MqttConfigSpec, { ...minimal, qos: 1 }), false);
    assert.equal(Value.Check(MqttConfigSpec, { ...minimal, topicFilters: [{ filter: 'a', qos: 2 }] }), false);
  });

  it('warns when a persistent session has no fixed client id', () => {
    const warnings = mqttConnector.validate?.({ ...minimal, clientId: undefined }) as string[];
    assert.ok(warnings.some((w) => /cleanSession is false but no clientId/.test(w)), warnings.join('\n'));
    assert.deepEqual(mqttConnector.validate?.(minimal), []);
  });

  it('warns about QoS 0 filters, clean sessions, ignored TLS material and unverified certificates', () => {
    const warnings = mqttConnector.validate?.({ ...minimal, cleanSession: true, topicFilters: [{ filter: 'a/#', qos: 0 }], tls: { ca: 'x' } }) as string[];
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(warnings.join('\n'), /QoS 0/);
    assert.match(warnings.join('\n'), /cleanSession is true/);
    assert.match(warnings.join('\n'), /NOT encrypted/);
    const unverified = mqttConnector.validate?.({ ...minimal, tls: { enabled: true, rejectUnauthorized: false } }) as string[];
    assert.match(unverified.join('\n'), /not verified/);
  });

  it('throws CONFIG_INVALID naming the field for cross-field problems', () => {
    const cases: Array<[Partial<MqttConfig>, string]> = [
      [{ topicFilters: [{ filter: 'a/#/b' }] }, 'topicFilters[0].filter'],
      [{ topicFilters: [{ filter: 'a' }, { filter: 'a' }] }, 'topicFilters[1].filter'],
      [{ downlinkTopicPattern: 'cmd/+' }, 'downlinkTopicPattern'],
      [{ password: 'x' }, 'username'],
      [{ reconnect: { initialDelayMs: 5000, maxDelayMs: 1000 } }, 'reconnect.maxDelayMs'],
      [{ tls: { enabled: true, cert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' } }, 'tls.key'],
    ];
    for (const [patch, field] of cases) {
      assert.throws(() => mqttConnector.validate?.({ ...minimal, ...patch }), (err: Error & { code?: string; details?: { field?: string } }) => {
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.equal(err.details?.field, field);
        return true;
      }, field);
    }
  });

  it('takes 1 to 16 connections, 1 by default, and no shared group unless asked', () => {
    assert.equal(resolveMqttConfig(minimal).connections, 1);
    assert.equal(resolveMqttConfig(minimal).sharedGroup, undefined);
    assert.deepEqual(mqttConnector.validate?.({ ...minimal, connections: 16 }), []);
    for (const connections of [0, 17, 2.5]) {
      assert.throws(() => parseWithSchema(MqttConfigSpec, { ...minimal, connections }), (err: Error & { code?: string; details?: { field?: string } }) => {
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.equal(err.details?.field, 'connections');
        return true;
      }, String(connections));
    }
  });

  it('refuses shared-subscription settings that cannot work, naming the field and the fix', () => {
    const cases: Array<[Partial<MqttConfig>, string, RegExp]> = [
      [{ sharedGroup: 'plant/1' }, 'sharedGroup', /sharedGroup "plant\/1" is invalid: .*must not contain "\/", "\+", "#".*use e\.g\. "plant_1"/],
      [{ connections: 2, sharedGroup: 'all+' }, 'sharedGroup', /use e\.g\. "all_"/],
      [{ connections: 3, topicFilters: [{ filter: '$share/g/devices/#' }] }, 'topicFilters[0].filter',
        /topicFilters\[0\]\.filter "\$share\/g\/devices\/#" is already a shared subscription, but connections is 3.*write the plain filter "devices\/#" and set sharedGroup to "g"/],
      [{ sharedGroup: 'g', topicFilters: [{ filter: 'a/#' }, { filter: '$share/h/b' }] }, 'topicFilters[1].filter', /but sharedGroup is set/],
      [{ connections: 4, maxInFlight: 3 }, 'maxInFlight', /maxInFlight \(3\) is below connections \(4\).*raise maxInFlight to 4 or more/],
    ];
    for (const [patch, field, message] of cases) {
      assert.throws(() => mqttConnector.validate?.({ ...minimal, ...patch }), (err: Error & { code?: string; details?: { field?: string } }) => {
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.equal(err.details?.field, field);
        assert.match(err.message, message);
        return true;
      }, field);
    }
    assert.deepEqual(mqttConnector.validate?.({ ...minimal, topicFilters: [{ filter: '$share/g/devices/#' }] }), [], 'a shared filter of its own with one connection is fine');
  });

  it('declares the connector contract', () => {
    assert.equal(mqttConnector.type, 'mqtt');
    assert.deepEqual(mqttConnector.capabilities, { downlink: true, redelivery: 'mqtt-session' });
    assert.ok((mqttConnector.pitfalls ?? []).length > 0);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
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

  it('declares the connector contract', () => {
    assert.equal(mqttConnector.type, 'mqtt');
    assert.deepEqual(mqttConnector.capabilities, { downlink: true, redelivery: 'mqtt-session' });
    assert.ok((mqttConnector.pitfalls ?? []).length > 0);
  });
});

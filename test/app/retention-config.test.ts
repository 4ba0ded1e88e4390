/** Retention settings: durations in the config file and an integration's own, and which passes a run makes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/app/config-file.ts';
import { retentionPasses } from '../../src/app/retention.ts';
import type { IntegrationConfig } from '../../src/core/model.ts';
import { retentionMs } from '../../src/core/retention.ts';

const integration = (id: string, retention?: IntegrationConfig['retention']): IntegrationConfig => ({
  id, name: id, type: 'mqtt', enabled: true, uplinkConverterId: 'c', downlinkConverterId: null, allowCreateDevices: true,
  debug: { failures: true, allUntil: 0 }, metadata: {}, config: {}, createdAt: 0, updatedAt: 0, ...(retention ? { retention } : {}),
});

describe('retention settings', () => {
  it('reads durations; 0 and forever keep', () => {
    assert.equal(retentionMs('90d'), 90 * 86_400_000);
    assert.equal(retentionMs(' 12h '), 12 * 3_600_000);
    assert.equal(retentionMs('30m'), 1_800_000);
    assert.equal(retentionMs('2w'), 14 * 86_400_000);
    assert.equal(retentionMs('forever'), null);
    assert.equal(retentionMs(0), null);
    const config = parseConfigText('retention: { telemetry: 90d, events: 7d, deadLetters: 0, downlinks: forever }', {});
    assert.deepEqual(config.retention, { telemetry: '90d', events: '7d', deadLetters: 0, downlinks: 'forever' });
  });

  it('a bad duration or an unknown kind is refused naming the field', () => {
    assert.throws(() => parseConfigText('retention: { telemetry: 90 days }', {}), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, /retention\.telemetry: expected a duration such as 90d, 12h, 30m, 45s or 2w .*or 0 or forever to keep; got "90 days"/);
      return true;
    });
    assert.throws(() => parseConfigText('retention: { telemetri: 90d }', {}), /retention/);
  });

  it('each integration with its own retention gets a pass, the rest the global one; forever makes none', () => {
    const now = 1_000_000_000_000;
    const list = [integration('a', { telemetry: '1d' }), integration('b', { telemetry: 'forever' }), integration('c')];
    assert.deepEqual(retentionPasses('telemetry', now, { telemetry: '30d' }, list), [
      { kind: 'telemetry', scope: { integrationId: 'a' }, olderThan: now - 86_400_000 },
      { kind: 'telemetry', scope: { except: ['a', 'b'] }, olderThan: now - 30 * 86_400_000 },
    ]);
    // Defaults: telemetry forever, events 7 days.
    assert.deepEqual(retentionPasses('telemetry', now, undefined, [integration('c')]), []);
    assert.deepEqual(retentionPasses('events', now, undefined, [integration('c')]), [{ kind: 'events', scope: { except: [] }, olderThan: now - 7 * 86_400_000 }]);
  });
});

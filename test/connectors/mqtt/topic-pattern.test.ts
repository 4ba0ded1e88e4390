import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fillTopicPattern, topicFilterProblem, topicPatternKeys, topicPatternProblem } from '../../../src/connectors/mqtt/topic-pattern.ts';

describe('topic patterns', () => {
  it('lists the keys a pattern uses', () => {
    assert.deepEqual(topicPatternKeys('iot-2/type/${device_type}/id/${device_id}/cmd/${command_id}/fmt/${format}'), ['device_type', 'device_id', 'command_id', 'format']);
    assert.deepEqual(topicPatternKeys('${topic}'), ['topic']);
    assert.deepEqual(topicPatternKeys('fixed/topic'), []);
  });

  it('fills every ${key} from the metadata', () => {
    assert.equal(fillTopicPattern('devices/${deviceName}/commands/${deviceName}', { deviceName: 'pump-7' }), 'devices/pump-7/commands/pump-7');
    assert.equal(fillTopicPattern('${topic}', { topic: 'a/b/c' }), 'a/b/c');
  });

  it('names every missing key in a DOWNLINK_FAILED that is not retried', () => {
    assert.throws(() => fillTopicPattern('t/${a}/${b}/${c}', { b: 'x', c: '' }), (err: Error & { code?: string; retryable?: boolean; details?: Record<string, unknown> }) => {
      assert.equal(err.code, 'DOWNLINK_FAILED');
      assert.equal(err.retryable, false);
      assert.match(err.message, /"a", "c"/);
      assert.deepEqual(err.details?.missingKeys, ['a', 'c']);
      return true;
    });
  });

  it('refuses a value that would turn the topic into a wildcard', () => {
    assert.throws(() => fillTopicPattern('devices/${d}', { d: '#' }), { code: 'DOWNLINK_FAILED' });
    assert.throws(() => fillTopicPattern('devices/${d}', { d: 'a/+' }), { code: 'DOWNLINK_FAILED' });
  });

  it('explains patterns that can never work', () => {
    assert.equal(topicPatternProblem('devices/${deviceName}'), null);
    assert.match(topicPatternProblem('devices/+/cmd') ?? '', /wildcard/);
    assert.match(topicPatternProblem('devices/${}') ?? '', /empty placeholder/);
    assert.match(topicPatternProblem('') ?? '', /empty/);
  });
});

describe('topic filters', () => {
  it('accepts valid filters, shared subscriptions included', () => {
    for (const f of ['#', 'a/#', 'a/+/b', '+', '+/+', '$share/g/a/+/b', '$SYS/#', 'a//b']) assert.equal(topicFilterProblem(f), null, f);
  });

  it('explains invalid ones', () => {
    assert.match(topicFilterProblem('a/#/b') ?? '', /"#" must be the last level/);
    assert.match(topicFilterProblem('a/b#') ?? '', /"#"/);
    assert.match(topicFilterProblem('a/b+/c') ?? '', /"\+" must fill a whole level/);
    assert.match(topicFilterProblem('$share/g') ?? '', /\$share\/<group>\/<filter>/);
    assert.match(topicFilterProblem('') ?? '', /empty/);
  });
});

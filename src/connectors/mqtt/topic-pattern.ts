/**
 * Downlink topic patterns such as `devices/${deviceName}/commands` (ThingsBoard syntax): every
 * `${key}` is replaced by the encoder result's `metadata[key]`.
 */
import { CloudbridgeError } from '../../core/errors.ts';

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The keys a pattern uses, in order of first appearance. */
export function topicPatternKeys(pattern: string): string[] {
  const keys: string[] = [];
  for (const match of pattern.matchAll(PLACEHOLDER)) {
    const key = (match[1] ?? '').trim();
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** Why a pattern can never produce a valid topic to publish to, or null when it is usable. */
export function topicPatternProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'the pattern is empty';
  if (topicPatternKeys(pattern).includes('')) return 'it contains an empty placeholder "${}"';
  const literal = pattern.replace(PLACEHOLDER, 'x');
  if (/[+#]/.test(literal)) return 'it contains a wildcard (+ or #): a message can only be published to a concrete topic';
  if (literal.includes('\u0000')) return 'it contains a NUL character';
  return null;
}

/**
 * Fills the pattern from `values`. Throws DOWNLINK_FAILED (not retryable) naming every missing key,
 * or a value that would turn the topic into a wildcard.
 */
export function fillTopicPattern(pattern: string, values: Record<string, string>): string {
  const missing = topicPatternKeys(pattern).filter((key) => values[key] === undefined || values[key] === '');
  if (missing.length > 0) {
    const list = missing.map((k) => `"${k}"`).join(', ');
    throw new CloudbridgeError('DOWNLINK_FAILED',
      `the downlink topic pattern "${pattern}" needs metadata ${list}, which the downlink converter did not return: add ${missing.length === 1 ? 'it' : 'them'} to the encoder result's metadata`,
      { field: 'downlinkTopicPattern', missingKeys: missing }, { retryable: false });
  }
  const topic = pattern.replace(PLACEHOLDER, (_all, key: string) => values[key.trim()] ?? '');
  if (/[+#]/.test(topic) || topic.includes('\u0000')) {
    throw new CloudbridgeError('DOWNLINK_FAILED',
      `the downlink topic "${topic}" built from pattern "${pattern}" contains a wildcard (+ or #) or NUL taken from the encoder metadata: return plain topic levels`,
      { field: 'downlinkTopicPattern', topic }, { retryable: false });
  }
  return topic;
}

/** Why a subscription filter is invalid (MQTT 3.1.1 §4.7, shared `$share/group/...` included), or null. */
export function topicFilterProblem(filter: string): string | null {
  if (filter.length === 0) return 'the filter is empty';
  if (filter.includes('\u0000')) return 'it contains a NUL character';
  let levels = filter.split('/');
  if (levels[0] === '$share') {
    if (levels.length < 3 || !levels[1]) return 'a shared subscription needs the form $share/<group>/<filter>';
    if (/[+#]/.test(levels[1])) return 'the shared subscription group name must not contain + or #';
    levels = levels.slice(2);
  }
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] ?? '';
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '"#" must be the last level on its own, as in "devices/#"';
    if (level.includes('+') && level !== '+') return '"+" must fill a whole level, as in "devices/+/telemetry"';
  }
  return null;
}

/** Without Chromium the browser tests fail saying how to install it (they never skip silently). */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { requireChromium } from './harness.ts';

it('a missing Chromium fails with the apt-get command to install it', () => {
  assert.throws(() => requireChromium('/nonexistent/chromium'), /Chromium not found at \/nonexistent\/chromium: .*`apt-get install chromium`/);
});

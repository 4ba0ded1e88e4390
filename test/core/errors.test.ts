import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudbridgeError, DeliveryRejectedError, ERROR_CATALOGUE, fixFor, retryAfterMs, type ErrorCode } from '../../src/core/errors.ts';

describe('error catalogue rules', () => {
  it('never raises a code the catalogue calls non-retryable as retryable', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE) as Array<[ErrorCode, { retryable: boolean }]>) {
      const forced = new CloudbridgeError(code, 'x', {}, { retryable: true });
      assert.equal(forced.retryable, entry.retryable, code);
      assert.equal(new DeliveryRejectedError(forced, 10).retryable, entry.retryable, `${code} through a rejected delivery`);
    }
  });

  it('lets a retryable code be raised as non-retryable (a wrong region is not fixed by retrying)', () => {
    assert.equal(new CloudbridgeError('CONNECTION_FAILED', 'signed for the wrong region', {}, { retryable: false }).retryable, false);
    assert.equal(new CloudbridgeError('CONNECTION_FAILED', 'refused').retryable, true);
  });

  it('gives the catalogue\'s fix for a code, none for an unknown one', () => {
    assert.equal(fixFor('AUTH_FAILED'), ERROR_CATALOGUE.AUTH_FAILED.fix);
    assert.equal(fixFor('SOMETHING_ELSE'), null);
    assert.equal(fixFor('toString'), null);
  });

  it('a rejected delivery carries the pipeline\'s retry delay; other errors carry none', () => {
    const rejected = new DeliveryRejectedError(new CloudbridgeError('STORE_UNAVAILABLE', 'down'), 750);
    assert.equal(retryAfterMs(rejected), 750);
    assert.equal(rejected.code, 'STORE_UNAVAILABLE');
    assert.equal(retryAfterMs(new CloudbridgeError('SHUTTING_DOWN', 'stopping')), null);
    assert.equal(retryAfterMs(new Error('x')), null);
  });
});

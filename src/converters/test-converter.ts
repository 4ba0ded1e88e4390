/**
 * Runs a converter once on a sample, with no side effects: for the API's
 * `POST /api/v1/converters/test` and the CLI's `cloudbridge converter test`. Never throws for a
 * script problem; the result carries the error instead.
 */
import { isCloudbridgeError, toCloudbridgeError } from '../core/errors.ts';
import type { CloudbridgeError } from '../core/errors.ts';
import { createBareUplinkRunner, createDownlinkRunner } from './factory.ts';
import { normalizeDownlink } from './normalize-downlink.ts';
import { normalizeUplink } from './normalize-uplink.ts';
import { sandboxKind } from './sandbox/select-engine.ts';
import type { ConverterTestError, ConverterTestRequest, ConverterTestResult, DownlinkTestRequest, UplinkTestRequest } from './types.ts';

function testError(err: unknown, stage: ConverterTestError['stage']): ConverterTestError {
  const e: CloudbridgeError = toCloudbridgeError(err);
  return { code: e.code, message: e.message, stage, details: { ...e.details } };
}

async function testUplink(req: UplinkTestRequest): Promise<ConverterTestResult> {
  const sandbox = sandboxKind(req.sandbox);
  let runner;
  try {
    runner = await createBareUplinkRunner({ type: 'uplink', language: req.language, script: req.script, limits: req.limits }, { sandbox });
  } catch (err) {
    return { output: undefined, error: testError(err, 'compile'), logs: [], sandbox };
  }
  try {
    const [r] = await runner.run([{ payload: req.payload, metadata: req.metadata ?? {}, receivedAt: req.receivedAt ?? Date.now() }]);
    const logs = await runner.logs();
    if (!r || !r.ok) return { output: undefined, error: testError(r?.error, 'convert'), logs, sandbox };
    try {
      const opts = req.maxFutureTsMs === undefined ? {} : { maxFutureTsMs: req.maxFutureTsMs };
      return { output: r.value, records: normalizeUplink(r.value, req.receivedAt ?? Date.now(), opts), logs, sandbox };
    } catch (err) {
      return { output: r.value, error: testError(err, 'validate'), logs, sandbox };
    }
  } finally {
    runner.dispose();
  }
}

async function testDownlink(req: DownlinkTestRequest): Promise<ConverterTestResult> {
  const sandbox = sandboxKind(req.sandbox);
  let runner;
  try {
    runner = await createDownlinkRunner({ type: 'downlink', language: req.language, script: req.script, limits: req.limits }, { sandbox });
  } catch (err) {
    return { output: undefined, error: testError(err, 'compile'), logs: [], sandbox };
  }
  try {
    const r = await runner.run({
      msg: req.msg,
      metadata: req.metadata ?? {},
      msgType: req.msgType ?? 'ATTRIBUTES_UPDATED',
      integrationMetadata: req.integrationMetadata ?? {},
    });
    const logs = await runner.logs();
    if (!r.ok) return { output: undefined, error: testError(r.error, 'convert'), logs, sandbox };
    try {
      return { output: r.value, encoded: normalizeDownlink(r.value), logs, sandbox };
    } catch (err) {
      return { output: r.value, error: testError(err, 'validate'), logs, sandbox };
    }
  } finally {
    runner.dispose();
  }
}

/** Runs the converter on one sample; the result holds the raw output, the normalised form or the error. */
export async function testConverter(req: ConverterTestRequest): Promise<ConverterTestResult> {
  try {
    return req.type === 'uplink' ? await testUplink(req) : await testDownlink(req);
  } catch (err) {
    if (isCloudbridgeError(err) && err.code !== 'INTERNAL') {
      return { output: undefined, error: testError(err, 'compile'), logs: [], sandbox: sandboxKind(req.sandbox) };
    }
    throw err;
  }
}

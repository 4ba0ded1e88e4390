/** The converter runtime: sandboxed ThingsBoard-compatible JavaScript and JSONata. */
export * from './types.ts';
export { createUplinkRunner, createDownlinkRunner, resolveLimits } from './factory.ts';
export { testConverter } from './test-converter.ts';
export { sandboxKind, isolatedVmUnavailableReason } from './sandbox/select-engine.ts';
export { normalizeUplink } from './normalize-uplink.ts';
export { normalizeDownlink } from './normalize-downlink.ts';
export { toKvValue, castNumericString } from './kv-typing.ts';
export { QuarantinedUplinkRunner } from './quarantine.ts';
export type { QuarantineOptions } from './quarantine.ts';
export { sandboxPool } from './sandbox/host/sandbox-pool.ts';

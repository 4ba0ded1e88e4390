/**
 * A guard against a crash in `@azure/core-amqp` 4.5 (used by `@azure/event-hubs` and
 * `@azure/service-bus`): when a `$cbs` or `$management` request times out after its connection
 * dropped, the timeout callback of `RequestResponseLink.sendRequest` reads `this.receiver?.address`,
 * and rhea-promise's `Link.address` getter reads `this.source.address` on a link whose source is
 * gone: a TypeError thrown from a timer, uncaught, which ends the process. Seen in our connection-
 * drop tests (`TypeError: Cannot read properties of undefined (reading 'address')` at
 * requestResponseLink.js:107). With the guard the getter answers `undefined`, the SDK words its
 * OperationTimeoutError with "address" and retries as it should.
 *
 * Takes the SDK's class instead of importing it, so this module loads no SDK (src/connectors/README.md):
 * each `sdk-*-api.ts` passes rhea-promise's `Receiver`. Idempotent.
 */
const GUARDED = Symbol.for('cloudbridge.receiverAddressGuard');

interface LinkLike { readonly source?: { address?: string } | undefined }

export function guardReceiverAddress(receiverClass: { prototype: object }): void {
  const proto = receiverClass.prototype as Record<symbol, unknown>;
  if (proto[GUARDED] === true) return;
  Object.defineProperty(receiverClass.prototype, 'address', {
    configurable: true,
    get(this: LinkLike): string | undefined {
      try {
        return this.source?.address;
      } catch {
        return undefined;
      }
    },
  });
  proto[GUARDED] = true;
}

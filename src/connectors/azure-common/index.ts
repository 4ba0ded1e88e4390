/**
 * What every Azure connector (`azure-event-hubs`, `azure-iot-hub`, `azure-service-bus`) shares:
 * connection-string parsing and classification, and the translation of SDK and socket errors into
 * the catalogue. Not a connector (no registry line); imports no SDK.
 */
export { parseAzureConnectionString, expectNamespaceString, redactConnectionString, type AzureConnectionString, type AzureConnectionKind, type ExpectNamespaceOptions } from './connection-string.ts';
export { translateAzureError, azureErrorCode, maskAzureSecrets, isRetryableAzureError, type AzureErrorContext, type AzureErrorFacts } from './azure-errors.ts';
export { guardReceiverAddress } from './receiver-address-guard.ts';
export { sasAccessIntro } from './access-guide.ts';

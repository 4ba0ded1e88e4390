/**
 * The pages whose code is downloaded only when one of them is opened, each as its own chunk: the
 * converter editor (CodeMirror), the device page (uPlot chart) and the integration and forwarder
 * editors (react-jsonschema-form with AJV). Together they are most of the UI's code; the log-in
 * page and the lists need none of it. Shown inside PageLoader (loading and failure states).
 */
import { lazy } from 'react';

export const ConverterEditor = lazy(async () => ({ default: (await import('./converters/ConverterEditor.tsx')).ConverterEditor }));
export const DevicePage = lazy(async () => ({ default: (await import('./devices/DevicePage.tsx')).DevicePage }));
export const IntegrationEditor = lazy(async () => ({ default: (await import('./integrations/IntegrationEditor.tsx')).IntegrationEditor }));
export const ForwarderEditor = lazy(async () => ({ default: (await import('./forwarders/ForwarderEditor.tsx')).ForwarderEditor }));

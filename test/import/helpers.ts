/** Shared by the import tests: reading the fixtures, and the env values a user would set. */
import { readFileSync } from 'node:fs';
import { importThingsBoard, type ExportInput, type ImportOptions } from '../../src/import/thingsboard/import.ts';
import type { ImportResult } from '../../src/import/thingsboard/types.ts';

export const FIXTURES = new URL('../fixtures/thingsboard/', import.meta.url).pathname;

/** The files of each type's export (the converters of some are in a second file); MQTT has two, one per kind of credentials. */
export const TYPE_FILES: Record<string, string[]> = {
  AWS_IOT: ['aws-iot.json'],
  AWS_KINESIS: ['aws-kinesis.json'],
  AWS_SQS: ['aws-sqs.json', 'aws-sqs-uplink.json'],
  AZURE_IOT_HUB: ['azure-iot-hub.json'],
  AZURE_EVENT_HUB: ['azure-event-hub.json'],
  AZURE_SERVICE_BUS: ['azure-service-bus.json'],
  PUB_SUB: ['pub-sub.json', 'converters-page.json'],
  IBM_WATSON_IOT: ['ibm-watson-iot.json', 'converters-page.json'],
  MQTT: ['mqtt-basic.json'],
  // A second MQTT integration: client certificate with an encrypted key, ThingsBoard's default clean session.
  MQTT_CERT_PEM: ['mqtt-cert.json'],
};

export function inputs(files: string[]): ExportInput[] {
  return files.map((f) => ({ source: f, text: readFileSync(FIXTURES + f, 'utf8') }));
}

export function importFiles(files: string[], options?: ImportOptions): ImportResult {
  return importThingsBoard(inputs(files), options);
}

/** An IoT Hub service connection string a user would paste (the export has only a device key). */
export const IOT_HUB_SERVICE_STRING = 'HostName=tb-hub.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=c2VydmljZUtleUZvclRlc3RzMDAwMDAwMDAwMDAwMA==';

/**
 * The environment a user would set for the imported file: each `${NAME}` of the env-mode config
 * paired with the export's value at the same place (values mode), else a supplied value.
 */
export function envFor(files: string[], supplied: Record<string, string> = {}): Record<string, string> {
  const refs = importFiles(files).config;
  const values = importFiles(files, { secrets: 'values', env: supplied }).config;
  const env: Record<string, string> = {};
  const walk = (a: unknown, b: unknown): void => {
    if (typeof a === 'string') {
      const m = /^\$\{([A-Z0-9_]+)\}$/.exec(a);
      if (m?.[1] && typeof b === 'string') env[m[1]] = b;
      return;
    }
    if (a && typeof a === 'object' && b && typeof b === 'object') {
      for (const [k, v] of Object.entries(a)) walk(v, (b as Record<string, unknown>)[k]);
    }
  };
  walk(refs, values);
  return env;
}

/** Every secret value of a fixture file: the strings under secret-looking keys. */
export function fixtureSecrets(files: string[]): string[] {
  const keys = /^(secretAccessKey|accessKeyId|privateKey|privateKeyPassword|password|sasKey|connectionString|storageConnectionString|downlinkConnectionString|serviceAccountKey|secret)$/;
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (keys.test(k) && typeof x === 'string' && x.length > 0) out.push(x);
        else walk(x);
      }
    }
  };
  for (const f of files) walk(JSON.parse(readFileSync(FIXTURES + f, 'utf8')));
  return out;
}

/**
 * Device twins of the IoT Hub double: per registered device a twin document as the registry REST
 * API returns it (`deviceId`, `etag`, `version`, `tags`, `properties.desired` / `.reported` with
 * `$version` and `$metadata`), JSON merge-patch updates (null removes a key) with the etag check
 * (`If-Match`), and reported properties set as a device would.
 */
import { createHash } from 'node:crypto';
import type { DeviceRegistry } from './devices.ts';

type Json = Record<string, unknown>;

interface TwinState { version: number; tags: Json; desired: Json; desiredVersion: number; reported: Json; reportedVersion: number; updatedAt: string }

export type TwinPatchResult = { ok: true; twin: Json } | { ok: false; status: 404 | 412 | 400; code: string; message: string };

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7396 merge patch; `$`-prefixed keys are the service's and are ignored. */
function mergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else if (isObject(v)) out[k] = mergePatch(isObject(out[k]) ? out[k] : {}, v);
    else out[k] = v;
  }
  return out;
}

export class TwinStore {
  private readonly registry: DeviceRegistry;
  private readonly states = new Map<string, TwinState>();

  constructor(registry: DeviceRegistry) {
    this.registry = registry;
  }

  /** The twin document, or undefined for an unknown device. */
  get(deviceId: string): Json | undefined {
    const s = this.state(deviceId);
    return s === undefined ? undefined : this.document(deviceId, s);
  }

  etag(deviceId: string): string | undefined {
    const s = this.state(deviceId);
    return s === undefined ? undefined : this.etagOf(deviceId, s);
  }

  /** Applies a service-side patch (`tags`, `properties.desired`), checking `ifMatch` unless it is `*` or absent. */
  update(deviceId: string, patch: unknown, ifMatch: string | undefined): TwinPatchResult {
    const s = this.state(deviceId);
    if (s === undefined) return { ok: false, status: 404, code: 'DeviceNotFound', message: `Device ${deviceId} not registered` };
    if (!isObject(patch)) return { ok: false, status: 400, code: 'ArgumentInvalid', message: 'The twin patch must be a JSON object' };
    const tag = ifMatch?.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    if (tag !== undefined && tag !== '*' && tag !== this.etagOf(deviceId, s)) {
      return { ok: false, status: 412, code: 'PreconditionFailed', message: `Precondition failed: the etag ${tag} is not the twin's current etag` };
    }
    const props = isObject(patch['properties']) ? patch['properties'] : {};
    if (props['reported'] !== undefined) {
      return { ok: false, status: 400, code: 'ArgumentInvalid', message: 'Reported properties can only be updated by the device' };
    }
    if (isObject(patch['tags'])) s.tags = mergePatch(s.tags, patch['tags']);
    if (isObject(props['desired'])) {
      s.desired = mergePatch(s.desired, props['desired']);
      s.desiredVersion++;
    }
    this.touch(s);
    return { ok: true, twin: this.document(deviceId, s) };
  }

  /** Reported properties as the device would send them (merge patch). */
  report(deviceId: string, reported: Json): void {
    const s = this.state(deviceId);
    if (s === undefined) throw new RangeError(`No device '${deviceId}' in the IoT Hub`);
    s.reported = mergePatch(s.reported, reported);
    s.reportedVersion++;
    this.touch(s);
  }

  private touch(s: TwinState): void {
    s.version++;
    s.updatedAt = new Date().toISOString();
  }

  private state(deviceId: string): TwinState | undefined {
    if (!this.registry.has(deviceId)) {
      this.states.delete(deviceId);
      return undefined;
    }
    let s = this.states.get(deviceId);
    if (s === undefined) {
      s = { version: 1, tags: {}, desired: {}, desiredVersion: 1, reported: {}, reportedVersion: 1, updatedAt: new Date().toISOString() };
      this.states.set(deviceId, s);
    }
    return s;
  }

  private etagOf(deviceId: string, s: TwinState): string {
    return createHash('sha256').update(`${deviceId}/${this.registry.generationId(deviceId)}/${s.version}`).digest('base64').slice(0, 12);
  }

  private document(deviceId: string, s: TwinState): Json {
    const metadata = { $lastUpdated: s.updatedAt };
    return {
      deviceId,
      etag: this.etagOf(deviceId, s),
      deviceEtag: createHash('sha256').update(deviceId).digest('base64').slice(0, 12),
      status: 'enabled',
      statusUpdateTime: '0001-01-01T00:00:00Z',
      connectionState: 'Disconnected',
      lastActivityTime: '0001-01-01T00:00:00Z',
      cloudToDeviceMessageCount: this.registry.queuedCount(deviceId),
      authenticationType: 'sas',
      x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
      modelId: '',
      version: s.version,
      tags: structuredClone(s.tags),
      properties: {
        desired: { ...structuredClone(s.desired), $metadata: metadata, $version: s.desiredVersion },
        reported: { ...structuredClone(s.reported), $metadata: metadata, $version: s.reportedVersion },
      },
      capabilities: { iotEdge: false },
    };
  }
}

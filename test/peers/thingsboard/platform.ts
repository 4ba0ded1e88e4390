/**
 * The double's in-memory "platform": devices and their credentials, telemetry (every point as it
 * arrived, duplicates included), client and shared attributes, RPC replies, claims, counters and
 * refusals. It survives stop()/start() of the listener, as ThingsBoard's database survives a
 * transport restart. Every change is emitted on `events` as `change`, which waitFor() listens to.
 */
import { EventEmitter } from 'node:events';
import type { TypedEntry } from './telemetry-json.ts';
import type {
  AttributeEntry, AttributeRequestRecord, ClaimRecord, Counters, DeviceRecord, DeviceSpec, DoubleEvent,
  RefusalRecord, RpcReply, TelemetryPoint,
} from './types.ts';

export const DEFAULT_DEVICE_TYPE = 'default';

export interface PlatformLimits {
  maxDevices?: number;
  rateLimit?: { messages: number; perMs: number };
}

export interface AuthResult {
  device?: DeviceRecord;
}

export class Platform {
  readonly events = new EventEmitter();
  readonly counters: Counters = { connectsAccepted: 0, connectsRefused: 0, publishesReceived: 0, pubacksSent: 0, refusals: {}, publishesSent: 0 };
  readonly refusals: RefusalRecord[] = [];
  readonly rpcReplies: RpcReply[] = [];
  readonly attributeRequests: AttributeRequestRecord[] = [];
  readonly claims: ClaimRecord[] = [];
  private readonly specs: DeviceSpec[];
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly telemetry = new Map<string, TelemetryPoint[]>();
  private readonly clientAttrs = new Map<string, Map<string, AttributeEntry>>();
  private readonly sharedAttrs = new Map<string, Map<string, AttributeEntry>>();
  private readonly rateWindows = new Map<string, number[]>();
  private gatewayCreated = 0;
  private pointsReceived = 0;

  private readonly limits: PlatformLimits;

  constructor(specs: DeviceSpec[], limits: PlatformLimits) {
    this.limits = limits;
    this.events.setMaxListeners(0);
    this.specs = [];
    for (const spec of specs) this.addDevice(spec);
  }

  /** A device made as in ThingsBoard's UI (with its credentials), not by a gateway. */
  addDevice(spec: DeviceSpec): DeviceRecord {
    if (this.devices.has(spec.name)) throw new Error(`ThingsBoard double: device "${spec.name}" already exists`);
    this.specs.push(spec);
    const record: DeviceRecord = { name: spec.name, type: spec.type ?? DEFAULT_DEVICE_TYPE, createdAt: Date.now(), gateway: spec.gateway === true };
    this.devices.set(spec.name, record);
    this.emit({ kind: 'device-created', device: { ...record } });
    return { ...record };
  }

  emit(event: DoubleEvent): void {
    this.events.emit(event.kind, event);
    this.events.emit('change', event);
  }

  /** The device whose credentials match, as ThingsBoard checks an access token or basic MQTT credentials. */
  authenticate(clientId: string, username: string | undefined, password: string | undefined): AuthResult {
    const spec = this.specs.find((s) => {
      if (s.token !== undefined && username === s.token && (password === undefined || password === '')) return true;
      const basic = s.basic;
      if (!basic || password === undefined) return false;
      return (basic.clientId === undefined || basic.clientId === clientId)
        && (basic.username === undefined || basic.username === username)
        && basic.password === password;
    });
    return spec ? { device: this.devices.get(spec.name) } : {};
  }

  device(name: string): DeviceRecord | undefined {
    const record = this.devices.get(name);
    return record ? { ...record } : undefined;
  }

  deviceList(): DeviceRecord[] {
    return [...this.devices.values()].map((d) => ({ ...d }));
  }

  /** How many of these names a publish would create beyond `maxDevices` (0 when within the limit). */
  devicesOverLimit(names: Iterable<string>): number {
    if (this.limits.maxDevices === undefined) return 0;
    const fresh = new Set([...names].filter((n) => !this.devices.has(n)));
    return Math.max(0, this.gatewayCreated + fresh.size - this.limits.maxDevices);
  }

  /** Get-or-create by name (reference §6.2): a new device takes `type`, else `default`. */
  provision(name: string, type: string | undefined, gateway: string): DeviceRecord {
    let record = this.devices.get(name);
    if (!record) {
      record = { name, type: type ?? DEFAULT_DEVICE_TYPE, createdAt: Date.now(), gateway: false, createdByGateway: gateway, lastConnectedGateway: gateway };
      this.devices.set(name, record);
      this.gatewayCreated++;
      this.emit({ kind: 'device-created', device: { ...record } });
    } else {
      record.lastConnectedGateway = gateway;
    }
    return record;
  }

  /** True when the device already had `rateLimit.messages` messages in the last `perMs`. */
  rateLimited(device: string, now: number): boolean {
    const limit = this.limits.rateLimit;
    if (!limit) return false;
    const window = (this.rateWindows.get(device) ?? []).filter((t) => t > now - limit.perMs);
    this.rateWindows.set(device, window);
    return window.length >= limit.messages;
  }

  countMessage(device: string, now: number): void {
    if (!this.limits.rateLimit) return;
    const window = this.rateWindows.get(device) ?? [];
    window.push(now);
    this.rateWindows.set(device, window);
  }

  storeTelemetry(device: string, points: TelemetryPoint[]): void {
    const list = this.telemetry.get(device) ?? [];
    for (const point of points) list.push(point);
    this.telemetry.set(device, list);
    this.pointsReceived += points.length;
    this.emit({ kind: 'telemetry', device, points: points.map((p) => ({ ...p })) });
  }

  /** Every point received for the device, in arrival order, duplicates included. */
  receivedTelemetry(device: string): TelemetryPoint[] {
    return (this.telemetry.get(device) ?? []).map((p) => ({ ...p }));
  }

  /** How many points arrived (for one device, or all), without copying them: cheap inside waitFor(). */
  telemetryCount(device?: string): number {
    return device === undefined ? this.pointsReceived : (this.telemetry.get(device)?.length ?? 0);
  }

  /** What ThingsBoard's time-series table holds: one point per (key, ts), the last write winning, sorted by ts. */
  timeseries(device: string): TelemetryPoint[] {
    const byKeyTs = new Map<string, TelemetryPoint>();
    for (const p of this.telemetry.get(device) ?? []) byKeyTs.set(`${p.key}\u0000${p.ts}`, p);
    return [...byKeyTs.values()].sort((a, b) => a.ts - b.ts).map((p) => ({ ...p }));
  }

  private scope(client: boolean): Map<string, Map<string, AttributeEntry>> {
    return client ? this.clientAttrs : this.sharedAttrs;
  }

  storeAttributes(device: string, client: boolean, entries: TypedEntry[], now: number): void {
    const scope = this.scope(client);
    const attrs = scope.get(device) ?? new Map<string, AttributeEntry>();
    for (const e of entries) attrs.set(e.key, { value: e.value, type: e.type, lastUpdateTs: now });
    scope.set(device, attrs);
    this.emit({ kind: 'attributes', device, keys: entries.map((e) => e.key) });
  }

  deleteAttributes(device: string, client: boolean, keys: string[]): void {
    const attrs = this.scope(client).get(device);
    for (const key of keys) attrs?.delete(key);
    this.emit({ kind: 'attributes', device, keys });
  }

  /** The attributes of one scope as a plain object of values. */
  attributeValues(device: string, client: boolean, keys?: string[]): Record<string, unknown> {
    const attrs = this.scope(client).get(device) ?? new Map<string, AttributeEntry>();
    const result: Record<string, unknown> = {};
    for (const [key, entry] of attrs) if (!keys || keys.includes(key)) result[key] = entry.value;
    return result;
  }

  attributeEntries(device: string, client: boolean): Record<string, AttributeEntry> {
    return Object.fromEntries([...(this.scope(client).get(device) ?? new Map<string, AttributeEntry>())].map(([k, v]) => [k, { ...v }]));
  }

  recordClaims(claims: ClaimRecord[]): void {
    this.claims.push(...claims);
    this.emit({ kind: 'claim', devices: claims.map((c) => c.device) });
  }

  recordAttributeRequest(request: AttributeRequestRecord): void {
    this.attributeRequests.push(request);
    this.emit({ kind: 'attribute-request', request: { ...request, keys: [...request.keys] } });
  }

  recordRefusal(refusal: RefusalRecord): void {
    this.refusals.push(refusal);
    this.counters.refusals[refusal.reasonCode] = (this.counters.refusals[refusal.reasonCode] ?? 0) + 1;
    this.emit({ kind: 'refusal', refusal });
  }

  /** Resolves once `predicate` holds, re-checking after every change; rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`ThingsBoard double: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('change', check);
      };
      this.events.on('change', check);
    });
  }
}

/** One device: latest values, chart, attributes (live), the downlink form (admins) and history. */
import { useEffect, useState } from 'react';
import { errorText, get } from '../api.ts';
import { href } from '../route.ts';
import type { Role } from '../session.ts';
import { Attributes, DownlinkHistory, LatestValues } from './DeviceData.tsx';
import { DownlinkForm } from './DownlinkForm.tsx';
import { useDeviceLive } from './live.ts';
import { TelemetryChart } from './TelemetryChart.tsx';
import type { Device } from './types.ts';

export function DevicePage({ role, name }: { role: Role; name: string }) {
  const [device, setDevice] = useState<Device | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = useDeviceLive(name);

  useEffect(() => {
    setDevice(null);
    get<Device>(`/devices/${encodeURIComponent(name)}`).then(setDevice, (err: unknown) => setError(errorText(err)));
  }, [name]);

  const keys = [...new Set([...(device?.telemetryKeys ?? []), ...Object.keys(live.latest ?? {})])].sort();
  return (
    <section aria-labelledby="device-title" className="device">
      <p><a href={href.devices}>← Devices</a></p>
      <div className="page-head">
        <h2 id="device-title">{name}</h2>
        {device && <span className="hint">{device.type}{device.label ? ` · ${device.label}` : ''}</span>}
        {!error && <span className={`live ${live.connected ? 'on' : 'off'}`} role="status">{live.connected ? 'Live' : 'Connecting to live data…'}</span>}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {device && <div className="device-grid">
        <LatestValues latest={live.latest} />
        {role === 'admin' && <DownlinkForm deviceName={name} />}
        {keys.length > 0 && <TelemetryChart key={keys.join(',')} deviceName={name} keys={keys} latest={live.latest} />}
        <Attributes attributes={live.attributes} />
        <DownlinkHistory downlinks={live.downlinks} />
      </div>}
    </section>
  );
}

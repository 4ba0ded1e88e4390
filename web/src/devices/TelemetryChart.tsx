/**
 * Telemetry chart (uPlot): several keys at once over the last hour, the last day or a custom
 * from–to range; a time axis, the first key on the left axis and the second on the right, each
 * labelled with its key and the unit the user gives. Relative ranges follow live data.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { errorText, get } from '../api.ts';
import type { Latest, Series } from './types.ts';

type Range = 'hour' | 'day' | 'custom';
const SPAN: Record<Exclude<Range, 'custom'>, number> = { hour: 3_600_000, day: 86_400_000 };
const COLORS = ['#1f6fb2', '#c2410c', '#147a3c', '#7c3aed', '#b3261e', '#0e7490'];
const MAX_POINTS = 10_000;

/** Points of all keys on one time axis (ascending), null where a key has no numeric value. */
export function aligned(series: Series, keys: string[]): uPlot.AlignedData {
  const times = [...new Set(keys.flatMap((k) => (series[k] ?? []).map((p) => p.ts)))].sort((a, b) => a - b);
  const columns = keys.map((k) => {
    const byTs = new Map((series[k] ?? []).map((p) => [p.ts, typeof p.value === 'number' ? p.value : null]));
    return times.map((t) => byTs.get(t) ?? null);
  });
  return [times, ...columns];
}

const localInput = (ms: number): string => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function TelemetryChart({ deviceName, keys, latest }: { deviceName: string; keys: string[]; latest: Latest | null }) {
  const [selected, setSelected] = useState<string[]>(() => keys.slice(0, 2));
  const [units, setUnits] = useState<Record<string, string>>({});
  const [range, setRange] = useState<Range>('hour');
  const [from, setFrom] = useState(() => localInput(Date.now() - SPAN.day));
  const [to, setTo] = useState(() => localInput(Date.now()));
  const [series, setSeries] = useState<Series>({});
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const newest = latest ? Math.max(0, ...selected.map((k) => latest[k]?.ts ?? 0)) : 0;

  useEffect(() => {
    if (selected.length === 0) { setSeries({}); return; }
    const [start, end] = range === 'custom' ? [new Date(from).getTime(), new Date(to).getTime()] : [Date.now() - SPAN[range], Date.now()];
    if (!(start < end)) { setError('“From” must be before “To”.'); return; }
    let current = true;
    const q = new URLSearchParams({ keys: selected.join(','), from: String(Math.round(start)), to: String(Math.round(end)), limit: String(MAX_POINTS) });
    get<Series>(`/devices/${encodeURIComponent(deviceName)}/telemetry?${q}`).then((s) => {
      if (current) { setSeries(s); setError(null); }
    }, (err: unknown) => { if (current) setError(errorText(err)); });
    return () => { current = false; };
  }, [deviceName, selected, range, from, to, range === 'custom' ? 0 : newest]);

  useEffect(() => {
    const el = box.current;
    if (!el || selected.length === 0) return;
    const label = (k: string): string => (units[k] ? `${k} (${units[k]})` : k);
    const axisFor = (i: number): string => (i === 1 ? selected[1] ?? selected[0] ?? 'y' : selected[0] ?? 'y');
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth), height: 300, ms: 1,
      scales: { x: { time: true } },
      series: [{ label: 'Time' }, ...selected.map((k, i) => ({ label: label(k), stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true, scale: i === 1 ? selected[1] : selected[0] }))],
      axes: [
        { label: 'Time' },
        { scale: axisFor(0), label: label(axisFor(0)) },
        ...(selected.length > 1 ? [{ scale: axisFor(1), label: label(axisFor(1)), side: 1 as const, grid: { show: false } }] : []),
      ],
    };
    const plot = new uPlot(opts, aligned(series, selected), el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 300 }));
    resize.observe(el);
    return () => { resize.disconnect(); plot.destroy(); };
  }, [series, selected, units]);

  const toggle = (k: string): void => setSelected((s) => (s.includes(k) ? s.filter((x) => x !== k) : [...s, k]));
  const points = selected.reduce((n, k) => n + (series[k]?.length ?? 0), 0);
  return (
    <section aria-labelledby="chart-title" className="panel">
      <h3 id="chart-title">Chart</h3>
      <div className="chart-controls">
        <fieldset><legend>Keys</legend>
          {keys.map((k) => <label key={k} className="check-label"><input type="checkbox" checked={selected.includes(k)} onChange={() => toggle(k)} /> {k}</label>)}
        </fieldset>
        <fieldset><legend>Units</legend>
          {selected.map((k) => <label key={k}>{k} <input className="unit" value={units[k] ?? ''} placeholder="e.g. °C" onChange={(e) => setUnits({ ...units, [k]: e.target.value })} /></label>)}
        </fieldset>
        <label>Time range <select value={range} onChange={(e) => setRange(e.target.value as Range)}>
          <option value="hour">Last hour</option><option value="day">Last day</option><option value="custom">Custom</option>
        </select></label>
        {range === 'custom' && <>
          <label>From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
          <label>To <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} /></label>
        </>}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {selected.length === 0 ? <p className="hint">Pick one or more keys.</p> : <>
        <p className="hint" data-field="points">{points} points{points === 0 ? ' in this range' : ''}</p>
        <div ref={box} className="chart" data-keys={selected.join(',')} />
      </>}
    </section>
  );
}

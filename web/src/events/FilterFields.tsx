/** Filter fields both pages share: the integration, and the time range. */
import type { IntegrationName } from './common.ts';

export function IntegrationSelect({ value, integrations, onChange }: { value: string; integrations: IntegrationName[]; onChange: (id: string) => void }) {
  return (
    <label>Integration
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">all</option>
        {integrations.map((i) => <option key={i.id} value={i.id}>{i.name}</option>)}
      </select>
    </label>
  );
}

interface Range {
  from: string;
  to: string;
}

/** "From" and "To" as `datetime-local` inputs (local time). */
export function TimeRange({ value, onChange }: { value: Range; onChange: (r: Range) => void }) {
  return (
    <>
      <label>From <input type="datetime-local" value={value.from} onChange={(e) => onChange({ ...value, from: e.target.value })} /></label>
      <label>To <input type="datetime-local" value={value.to} onChange={(e) => onChange({ ...value, to: e.target.value })} /></label>
    </>
  );
}

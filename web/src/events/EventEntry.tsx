/** One event: time, type, integration (linked), status and a summary; the details expand. */
import { Expandable } from './Expandable.tsx';
import { IntegrationLink } from './IntegrationLink.tsx';
import { Payload } from './Payload.tsx';
import { showValue } from './payload.ts';
import type { IntegrationName } from './common.ts';
import { timeOf } from './common.ts';
import { TYPE_LABELS, type EventItem } from './types.ts';

/** OK, ERROR, WARNING or '' as the event's body says. */
export function statusOf(e: EventItem): string {
  const b = e.body;
  if (typeof b.status === 'string') return b.status;
  if (b.success === true) return 'OK';
  if (b.success === false || e.type === 'ERROR') return 'ERROR';
  if (e.type === 'WARNING') return 'WARNING';
  return '';
}

function summaryOf(e: EventItem): string {
  const b = e.body;
  const parts = [b.event, b.deviceName, b.msgType, b.errorCode ?? b.code, b.error ?? b.message]
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  return parts.join(' · ');
}

const SHOWN = new Set(['in', 'out', 'metadata', 'messageType']);

export function EventEntry({ event, integrations }: { event: EventItem; integrations: IntegrationName[] }) {
  const b = event.body;
  const status = statusOf(event);
  const summary = summaryOf(event);
  const rest = Object.fromEntries(Object.entries(b).filter(([k]) => !SHOWN.has(k)));
  return (
    <li className="entry" data-event={event.id} data-type={event.type}>
      <Expandable
        aside={<IntegrationLink id={event.integrationId} integrations={integrations} />}
        summary={<>
          <time dateTime={new Date(event.ts).toISOString()}>{timeOf(event.ts)}</time>
          <span className={`type type-${event.type.toLowerCase()}`} data-field="type">{TYPE_LABELS[event.type]}</span>
          {status && <span className={`status status-${status.toLowerCase()}`} data-field="status">{status}</span>}
          {summary && <span className="summary">{summary}</span>}
        </>}
      >
        {b.in !== undefined && <Payload label="Message in" shown={showValue(b.in, b.messageType === 'BINARY')} />}
        {b.out !== undefined && <Payload label="Converter output" shown={showValue(b.out)} />}
        {b.metadata !== undefined && <Payload label="Metadata" shown={showValue(b.metadata)} />}
        {Object.keys(rest).length > 0 && <Payload label="Details" shown={showValue(rest)} />}
      </Expandable>
    </li>
  );
}

/** One dead letter: stage, code, state, error, integration (linked); id, replays, payload and metadata expand. */
import { Expandable } from './Expandable.tsx';
import { IntegrationLink } from './IntegrationLink.tsx';
import { Payload } from './Payload.tsx';
import { showPayload, showValue } from './payload.ts';
import { timeOf, type IntegrationName } from './common.ts';
import type { DeadLetterItem } from './types.ts';

interface Props {
  letter: DeadLetterItem;
  integrations: IntegrationName[];
  /** Absent for a viewer: no selection. */
  selected?: boolean;
  onSelect?: (id: string, on: boolean) => void;
}

export function DeadLetterEntry({ letter: d, integrations, selected, onSelect }: Props) {
  return (
    <li className="entry letter" data-letter={d.id}>
      {onSelect && (
        <input type="checkbox" className="select" checked={selected ?? false} onChange={(e) => onSelect(d.id, e.target.checked)}
          aria-label={`Select dead letter ${d.id.slice(0, 8)} (${d.errorCode})`} />
      )}
      <Expandable
        aside={<IntegrationLink id={d.integrationId} integrations={integrations} />}
        summary={<>
          <time dateTime={new Date(d.createdAt).toISOString()}>{timeOf(d.createdAt)}</time>
          <span className="stage" data-field="stage">{d.stage}</span>
          <code data-field="code">{d.errorCode}</code>
          <span className={`status state-${d.state}`} data-field="state">{d.state}</span>
          <span className="summary" data-field="error">{d.error}</span>
        </>}
      >
        <dl className="facts">
          <dt>Id</dt><dd><code>{d.id}</code></dd>
          <dt>Received</dt><dd>{timeOf(d.receivedAt)}</dd>
          <dt>Source key</dt><dd><code>{d.sourceKey}</code></dd>
          <dt>Replays</dt><dd data-field="replays">{d.replayCount}</dd>
        </dl>
        <Payload label="Payload" shown={showPayload(d.payloadText, d.payloadBase64)} />
        <Payload label="Metadata" shown={showValue(d.metadata)} />
      </Expandable>
    </li>
  );
}

/** An entry's integration by name, linked to its integration page. */
import { href } from '../route.ts';
import type { IntegrationName } from './common.ts';

export function IntegrationLink({ id, integrations }: { id: string | null; integrations: IntegrationName[] }) {
  if (!id) return <span className="hint">service</span>;
  const name = integrations.find((i) => i.id === id)?.name;
  return <a href={href.integration(id)} data-field="integration">{name ?? id}</a>;
}

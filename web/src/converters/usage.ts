/** Which integrations use each converter (from GET /integrations). */
import { get } from '../api.ts';
import type { ConverterRef, IntegrationView } from '../integrations/types.ts';

export async function usersByConverter(): Promise<Map<string, ConverterRef[]>> {
  const users = new Map<string, ConverterRef[]>();
  for (const i of await get<IntegrationView[]>('/integrations')) {
    for (const c of [i.uplinkConverter, i.downlinkConverter]) {
      if (c) users.set(c.id, [...(users.get(c.id) ?? []), { id: i.id, name: i.name }]);
    }
  }
  return users;
}

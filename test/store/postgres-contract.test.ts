/**
 * The store contract against a real PostgreSQL server, each `open()` on its own new schema (dropped
 * when the file ends). Its own file, beside postgres.test.ts (the PostgreSQL-only behaviour), so
 * the two run side by side. Skipped, saying why, only when the server cannot be reached.
 */
import { describe } from 'node:test';
import { storeContract } from './contract.ts';
import { URL_, newSchema, openOn, schemaOf, unreachable } from './postgres-harness.ts';

if (unreachable !== null) {
  describe('postgres store contract', { skip: `PostgreSQL at ${new URL(URL_).host} is unreachable (${unreachable}); set CLOUDBRIDGE_TEST_POSTGRES_URL` }, () => undefined);
} else {
  storeContract('postgres', async () => openOn(await newSchema()), (closed) => openOn(schemaOf(closed)));
}

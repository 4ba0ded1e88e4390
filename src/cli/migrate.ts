/** `cloudbridge migrate`: applies the store's pending schema migrations and exits. */
import { loadStoreSection, storeLocationOf, storeOptionsOf } from '../app/store-section.ts';
import { openStoreReporting } from '../store/index.ts';
import { parseCommand } from './args.ts';

const HELP = `Usage: cloudbridge migrate [--config FILE]

Applies the pending schema migrations of the store of --config (default: SQLite at
./data/cloudbridge.db), prints each one it applied and exits: for deployments that migrate before
rolling out a new version. Only the store section of the file is read. \`start\` migrates on its own
as well; running migrate again (or from several instances at once) applies each migration once.`;

export async function runMigrate(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { config: { type: 'string', short: 'c' } }, HELP);
  if (!parsed) return 0;
  const section = loadStoreSection(parsed.values.config as string | undefined);
  const { store, migrations } = await openStoreReporting(storeOptionsOf(section));
  await store.close();
  for (const m of migrations.applied) console.log(`applied ${String(m.version).padStart(3, '0')}_${m.name}`);
  const where = storeLocationOf(section);
  console.log(migrations.applied.length === 0
    ? `${where}: schema is up to date (version ${migrations.version}); nothing to apply`
    : `${where}: schema is now at version ${migrations.version} (${migrations.applied.length} migration${migrations.applied.length === 1 ? '' : 's'} applied)`);
  return 0;
}

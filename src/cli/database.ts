import type { Config } from '../config/config.ts';
import { openDatabase, type Database } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrator.ts';

/** Runs `work` on the configured database, migrated first, and closes it whatever happens. */
export async function withMigratedDatabase<T>(
  config: Config,
  work: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(
    config.database.kind === 'embedded'
      ? { kind: 'embedded', dataDir: config.database.dataDir }
      : config.database,
  );
  try {
    await migrate(database);
    return await work(database);
  } finally {
    await database.close();
  }
}

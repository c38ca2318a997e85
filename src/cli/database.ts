import type { Config } from '../config/config.ts';
import { openConfiguredDatabase } from '../platform/db/configured-database.ts';
import type { Database } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrator.ts';

/** Runs `work` on the configured database, migrated first, and closes it whatever happens. */
export async function withMigratedDatabase<T>(
  config: Config,
  work: (database: Database) => Promise<T>,
): Promise<T> {
  // Beside a running server on the embedded database, through its local socket.
  const database = await openConfiguredDatabase({ config, as: 'client' });
  try {
    await migrate(database);
    return await work(database);
  } finally {
    await database.close();
  }
}

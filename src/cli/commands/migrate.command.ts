import { openConfiguredDatabase } from '../../platform/db/configured-database.ts';
import { migrate, readMigrations } from '../../platform/db/migrator.ts';
import type { Command } from '../command.ts';
import { progress } from '../progress.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations (the server also does this at start)',
  usage: 'marquee migrate',
  options: {},
  async run({ config, print }) {
    const database = await openConfiguredDatabase({ config, as: 'client' });
    try {
      const total = (await readMigrations()).length;
      const bar = progress('migrations', total);
      const report = await migrate(database, { onProgress: () => bar.increment() });
      bar.stop();
      print(
        report.applied.length === 0
          ? `The database is up to date (${total} migrations).`
          : `Applied ${report.applied.length} of ${total} migrations: ${report.applied.join(', ')}`,
      );
    } finally {
      await database.close();
    }
  },
};

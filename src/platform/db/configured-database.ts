import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../logger.ts';
import { DatabaseLocked, openDatabase, type Database } from './database.ts';
import { openLocalSocket, socketFileName } from './local-socket.ts';

/**
 * The configured database, for a process of either kind:
 *  - `server`: opens it; on the embedded default, also opens it to local clients on
 *    `DATA_DIR/.s.PGSQL.5432` (local-socket.ts), closed before the database.
 *  - `client` (a CLI command): opens it; when a running server holds the embedded database,
 *    reaches it through that socket with the PostgreSQL driver instead, so commands work while
 *    the server runs.
 */
export async function openConfiguredDatabase(options: {
  config: Pick<Config, 'database' | 'dataDir'>;
  as: 'server' | 'client';
  logger?: Logger;
}): Promise<Database> {
  const { config } = options;
  if (config.database.kind === 'postgres') return openDatabase(config.database);
  const embedded = { kind: 'embedded', dataDir: config.database.dataDir } as const;
  if (options.as === 'client') {
    try {
      return await openDatabase(embedded);
    } catch (error) {
      if (!DatabaseLocked.is(error)) throw error;
      const socketPath = path.join(config.dataDir, socketFileName);
      if (
        !(await access(socketPath).then(
          () => true,
          () => false,
        ))
      )
        throw error;
      return openDatabase({
        kind: 'postgres',
        url: localSocketUrl(config.dataDir),
        poolMax: 1,
        statementTimeoutMs: 0,
      });
    }
  }
  const database = await openDatabase(embedded);
  if (!database.pglite) return database;
  try {
    const socket = await openLocalSocket({ pglite: database.pglite, dir: config.dataDir });
    options.logger?.info({ socket: socket.path }, 'embedded database open to local clients');
    return {
      ...database,
      async close() {
        await socket.close();
        await database.close();
      },
    };
  } catch (error) {
    // e.g. a DATA_DIR path too long for a Unix socket (about 100 bytes): the server still runs.
    options.logger?.warn(
      { err: error },
      'could not open the embedded database to local clients: CLI commands need the server stopped',
    );
    return database;
  }
}

/** A node-postgres connection string for the server's local socket in `dataDir`. */
export function localSocketUrl(dataDir: string): string {
  return `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(path.resolve(dataDir))}`;
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrator.ts';

/**
 * A database of this test file's own: an in-memory PGlite by default, or — when DATABASE_URL is
 * set (the CI's second pass) — a fresh database created on that server and dropped afterwards,
 * so parallel test files never see each other's rows.
 */
export interface TestDatabase {
  database: Database;
  /** The connection URL of the per-test database on a server; undefined on PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

export const serverUrl = process.env.DATABASE_URL || undefined;

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (!serverUrl) {
    const database = await openDatabase({ kind: 'embedded', dataDir: undefined });
    if (options.migrate !== false) await migrate(database);
    return { database, url: undefined, drop: () => database.close() };
  }
  const name = `marquee_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({
    kind: 'postgres',
    url: url.toString(),
    poolMax: 5,
    statementTimeoutMs: 30_000,
  });
  if (options.migrate !== false) await migrate(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

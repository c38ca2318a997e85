import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { migrate, readMigrations } from '../../src/platform/db/migrator.ts';

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

/**
 * A freshly migrated embedded database, dumped once and shared by every test file of a run (and
 * later runs, until a migration or PGlite changes): loading it takes a second, where initdb plus
 * migrations take four or five. Keyed by the migrations' checksums and PGlite's version.
 */
async function pgliteVersion(): Promise<string> {
  // The package's exports map hides its package.json; find it next to the entry point.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = JSON.parse(
    await readFile(path.join(path.dirname(entry), '..', 'package.json'), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

async function migratedTemplate(): Promise<Blob> {
  const migrations = await readMigrations();
  const key = createHash('sha256')
    .update(await pgliteVersion())
    .update(migrations.map((migration) => `${migration.name}:${migration.checksum}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(os.tmpdir(), `marquee-pglite-template-${key}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const database = await openDatabase({ kind: 'embedded', dataDir: undefined });
    try {
      await migrate(database);
      const dump = await database.pglite?.dumpDataDir('none');
      if (!dump) throw new Error('no PGlite to dump');
      // Written aside and renamed: parallel test files never read a half-written template.
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, file);
      return dump;
    } finally {
      await database.close();
    }
  }
}

/**
 * Fills `<dataDir>/db` (where a process started with DATA_DIR=dataDir keeps its embedded
 * database) from the migrated template, so processes a test spawns open a current database
 * instead of each running initdb and every migration first.
 */
export async function migratedDataDir(dataDir: string): Promise<void> {
  const database = await openDatabase({
    kind: 'embedded',
    dataDir: path.join(dataDir, 'db'),
    template: await migratedTemplate(),
  });
  await database.close();
}

export async function createTestDatabase(
  options: { migrate?: boolean; server?: string } = {},
): Promise<TestDatabase> {
  const server = options.server ?? serverUrl;
  if (!server) {
    if (options.migrate === false) {
      const database = await openDatabase({ kind: 'embedded', dataDir: undefined });
      return { database, url: undefined, drop: () => database.close() };
    }
    const database = await openDatabase({
      kind: 'embedded',
      dataDir: undefined,
      template: await migratedTemplate(),
    });
    await migrate(database); // a no-op on a current template; proves it is current
    return { database, url: undefined, drop: () => database.close() };
  }
  const name = `marquee_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
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
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

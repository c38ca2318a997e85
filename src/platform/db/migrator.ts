import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';

/**
 * Forward-only, timestamp-named SQL migrations (`migrations/20261125100000_name.sql`).
 *
 * Each migration runs as one implicit transaction (one simple-protocol script), guarded by a
 * transaction-scoped advisory lock so several instances starting at once apply it exactly once.
 * An applied migration whose file has since changed stops the start: fix forward with a new one.
 */

export const defaultMigrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const NAME = /^(\d{14})_[a-z0-9_]+\.sql$/;
const LOCK_KEY = 7_262_025; // arbitrary, constant: "marquee migrations"
const ALREADY_APPLIED = 'MARQUEE_MIGRATION_ALREADY_APPLIED';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  total: number;
}

export async function readMigrations(dir = defaultMigrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (name) => {
      if (!NAME.test(name))
        throw new Error(`migration file ${name} must be named YYYYMMDDHHMMSS_snake_name.sql`);
      const sql = await readFile(new URL(name, `file://${dir.endsWith('/') ? dir : `${dir}/`}`), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

export async function migrate(
  database: Database,
  options: {
    dir?: string;
    onApplied?: ((name: string) => void) | undefined;
    /** Called once per migration, applied now or before: drives a progress bar. */
    onProgress?: (name: string) => void;
  } = {},
): Promise<MigrationReport> {
  const migrations = await readMigrations(options.dir);
  // Under the lock: two instances creating the table at once would collide in pg_type.
  await database.runScript(`
    select pg_advisory_xact_lock(${LOCK_KEY});
    create table if not exists schema_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
  const appliedRows = await database.db.selectFrom('schemaMigrations').select(['name', 'checksum']).execute();
  const applied = new Map(appliedRows.map((row) => [row.name, row.checksum]));
  const known = new Set(migrations.map((migration) => migration.name));
  for (const name of applied.keys()) {
    if (!known.has(name)) {
      throw new Error(
        `the database has migration ${name}, which this version of Marquee does not know: is it older?`,
      );
    }
  }

  const report: MigrationReport = { applied: [], total: migrations.length };
  for (const migration of migrations) {
    const checksum = applied.get(migration.name);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new Error(
          `migration ${migration.name} was changed after it was applied; migrations are forward-only, add a new one`,
        );
      }
      options.onProgress?.(migration.name);
      continue;
    }
    const script = [
      `select pg_advisory_xact_lock(${LOCK_KEY})`,
      `do $guard$ begin
         if exists (select 1 from schema_migrations where name = ${quote(migration.name)}) then
           raise exception '${ALREADY_APPLIED}';
         end if;
       end $guard$`,
      migration.sql.trim().replace(/;\s*$/, ''),
      `insert into schema_migrations (name, checksum) values (${quote(migration.name)}, ${quote(migration.checksum)})`,
    ].join(';\n');
    try {
      await database.runScript(script);
      report.applied.push(migration.name);
      options.onApplied?.(migration.name);
      options.onProgress?.(migration.name);
    } catch (error) {
      if (error instanceof Error && error.message.includes(ALREADY_APPLIED)) {
        options.onProgress?.(migration.name);
        continue;
      }
      throw new Error(
        `migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  return report;
}

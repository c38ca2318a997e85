import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, serverUrl, type TestDatabase } from '../../../test/support/test-database.ts';
import { introspectColumns, renderSchema } from './codegen.ts';
import { migrate, readMigrations } from './migrator.ts';

const engine = serverUrl ? 'PostgreSQL server' : 'PGlite';

describe(`migrations on ${engine}`, () => {
  let testDatabase: TestDatabase;
  before(async () => {
    testDatabase = await createTestDatabase({ migrate: false });
  });
  after(() => testDatabase.drop());

  it('apply cleanly, concurrently from two instances, each exactly once', async () => {
    const [first, second] = await Promise.all([
      migrate(testDatabase.database),
      migrate(testDatabase.database),
    ]);
    const total = (await readMigrations()).length;
    assert.equal(first.applied.length + second.applied.length, total);
    const rows = await testDatabase.database.db.selectFrom('schemaMigrations').select('name').execute();
    assert.equal(rows.length, total);
  });

  it('produce exactly the schema the code is typed against (db.generated.ts)', async () => {
    const committed = await readFile(new URL('./db.generated.ts', import.meta.url), 'utf8');
    const generated = renderSchema(await introspectColumns(testDatabase.database.db));
    assert.equal(generated, committed, 'schema drift: run `npm run db:codegen` after adding a migration');
  });

  it('are idempotent: a second run applies nothing', async () => {
    const report = await migrate(testDatabase.database);
    assert.deepEqual(report.applied, []);
  });

  it('provide pg_trgm for typo-tolerant search', async () => {
    const { rows } = await sql<{
      score: number;
    }>`select similarity('intrstellar', 'interstellar') as score`.execute(testDatabase.database.db);
    assert.ok((rows[0]?.score ?? 0) > 0.5);
  });
});

describe(`the migrator on ${engine}`, () => {
  let testDatabase: TestDatabase;
  let dir: string;
  before(async () => {
    testDatabase = await createTestDatabase({ migrate: false });
    dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-migrations-'));
  });
  after(async () => {
    await testDatabase.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('rolls a failing migration back whole and stops', async () => {
    await writeFile(path.join(dir, '20260101000000_first.sql'), 'create table alpha (id int primary key);');
    await writeFile(
      path.join(dir, '20260102000000_broken.sql'),
      'create table beta (id int primary key);\ninsert into beta values (1), (1);',
    );
    await assert.rejects(
      migrate(testDatabase.database, { dir }),
      /migration 20260102000000_broken\.sql failed/,
    );
    const tables = await introspectColumns(testDatabase.database.db);
    assert.ok(tables.some((column) => column.tableName === 'alpha'));
    assert.ok(!tables.some((column) => column.tableName === 'beta'), 'half of a failed migration is visible');
    const applied = await testDatabase.database.db.selectFrom('schemaMigrations').select('name').execute();
    assert.deepEqual(
      applied.map((row) => row.name),
      ['20260101000000_first.sql'],
    );
  });

  it('refuses to start when an applied migration was edited', async () => {
    await rm(path.join(dir, '20260102000000_broken.sql'));
    await writeFile(
      path.join(dir, '20260101000000_first.sql'),
      'create table alpha (id bigint primary key);',
    );
    await assert.rejects(
      migrate(testDatabase.database, { dir }),
      /changed after it was applied; migrations are forward-only/,
    );
  });

  it('refuses a database migrated by a newer version', async () => {
    await writeFile(path.join(dir, '20260101000000_first.sql'), 'create table alpha (id int primary key);');
    await testDatabase.database.db
      .insertInto('schemaMigrations')
      .values({ name: '20990101000000_future.sql', checksum: 'x' })
      .execute();
    await assert.rejects(migrate(testDatabase.database, { dir }), /does not know: is it older\?/);
  });

  it('refuses badly named files', async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), 'marquee-migrations-'));
    await writeFile(path.join(other, 'add_users.sql'), 'select 1');
    await assert.rejects(readMigrations(other), /must be named YYYYMMDDHHMMSS_snake_name\.sql/);
    await rm(other, { recursive: true, force: true });
  });
});

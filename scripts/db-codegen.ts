// Regenerates src/platform/db/db.generated.ts from a freshly migrated embedded database.
import { writeFile } from 'node:fs/promises';
import { introspectColumns, renderSchema } from '../src/platform/db/codegen.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrator.ts';

const target = new URL('../src/platform/db/db.generated.ts', import.meta.url);
const database = await openDatabase({ kind: 'embedded', dataDir: undefined });
try {
  await migrate(database);
  await writeFile(target, renderSchema(await introspectColumns(database.db)));
  console.log(`wrote ${target.pathname}`);
} finally {
  await database.close();
}

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tableOwners } from './table-owners.ts';

const modulesDir = new URL('../../modules/', import.meta.url).pathname;
const QUERY =
  /\b(?:selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|mergeInto)\(\s*'([A-Za-z]+)/g;

/**
 * Queries of another module's table that the consolidation still has to move behind the owner's
 * service, as `module → table`. This list only shrinks.
 */
const stillCrossing = new Set<string>([]);

async function sourcesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('table ownership', () => {
  it('lets a module query only the tables it owns', async () => {
    const crossings = new Set<string>();
    for (const file of await sourcesOf(modulesDir)) {
      const module = path.relative(modulesDir, file).split(path.sep)[0] ?? '';
      if (!module || module.endsWith('.ts')) continue;
      const source = await readFile(file, 'utf8');
      for (const match of source.matchAll(QUERY)) {
        const table = match[1] as keyof typeof tableOwners;
        const owner = tableOwners[table] as string | undefined;
        assert.ok(owner, `${path.relative(modulesDir, file)} queries ${table}, which no module owns`);
        if (owner !== module) crossings.add(`${module} → ${table}`);
      }
    }
    const unexpected = [...crossings].filter((crossing) => !stillCrossing.has(crossing));
    assert.deepEqual(unexpected, [], 'ask the owning module’s service (src/platform/db/table-owners.ts)');
    const fixed = [...stillCrossing].filter((crossing) => !crossings.has(crossing));
    assert.deepEqual(fixed, [], 'remove fixed crossings from stillCrossing');
  });

  it('keeps SQL in repositories: no other module file builds a query or opens a transaction', async () => {
    // ESLint's no-restricted-syntax says the same while editing (eslint.config.js, queriesTheDatabase).
    const QUERY_OR_TRANSACTION =
      /\.(?:selectFrom|insertInto|updateTable|deleteFrom|mergeInto)\(|\bsql`|\.transaction\(\)/;
    const outside: string[] = [];
    for (const file of await sourcesOf(modulesDir)) {
      if (file.endsWith('.repository.ts') || file.endsWith('.sql.ts')) continue;
      if (QUERY_OR_TRANSACTION.test(await readFile(file, 'utf8')))
        outside.push(path.relative(modulesDir, file));
    }
    assert.deepEqual(outside, [], 'move these queries into the owning module’s *.repository.ts');
  });
});

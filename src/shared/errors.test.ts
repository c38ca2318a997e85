import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { renderErrorsDoc } from './errors-doc.ts';
import { AppError, defineError } from './errors.ts';

describe('domain errors', () => {
  it('carry a stable code, a kind and a title, and extensions', () => {
    const Busy = defineError('TEST_BUSY', 'conflict', 'Busy');
    const error = Busy('try later', { retryIn: 3 });
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'TEST_BUSY');
    assert.equal(error.kind, 'conflict');
    assert.equal(error.detail, 'try later');
    assert.deepEqual(error.extensions, { retryIn: 3 });
    assert.equal(Busy.is(error), true);
    assert.equal(Busy.is(new Error('x')), false);
    assert.equal(Busy().detail, 'Busy');
  });

  it('refuse one code with two meanings', () => {
    defineError('TEST_TWICE', 'conflict', 'Twice');
    defineError('TEST_TWICE', 'conflict', 'Twice');
    assert.throws(() => defineError('TEST_TWICE', 'gone', 'Twice'), /defined twice/);
  });

  it('are all listed in docs/ERRORS.md', async () => {
    const committed = await readFile(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8');
    const rendered = (await renderErrorsDoc())
      .split('\n')
      .filter((line) => !line.includes('`TEST_'))
      .join('\n');
    assert.equal(committed, rendered, 'run `npm run docs:errors`');
  });
});

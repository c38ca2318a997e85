import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { serializeError } from './logger.ts';

/**
 * Finding 9 of the security issue: a failed statement's error, logged, carried its bound
 * parameters — for a profile, the PIN's argon2 hash. A real driver error (PGlite, or the
 * PostgreSQL server in the real-services pass) goes through the logger's serializer here.
 */
describe('logged errors', () => {
  let testDatabase: TestDatabase;
  before(async () => {
    testDatabase = await createTestDatabase({ migrate: false });
  });
  after(async () => testDatabase.drop());

  it('never carry a failed statement’s parameters, the statement itself stays', async () => {
    const secret = '$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0LXNhbHQ$not-a-real-hash';
    const error = await sql`select ${secret}::text, 1 / ${0}::int`.execute(testDatabase.database.db).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof Error, 'the statement fails');

    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ serializers: { err: serializeError } }, sink);
    logger.error({ err: new Error('request failed', { cause: error }) }, 'unexpected error');
    logger.error({ err: error }, 'unexpected error');

    const logged = lines.join('');
    assert.match(logged, /division by zero/);
    assert.doesNotMatch(logged, /argon2id/);
  });
});

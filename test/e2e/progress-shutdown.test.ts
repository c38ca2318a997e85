import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { localSocketUrl } from '../../src/platform/db/configured-database.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { freePort, run, waitUntilListening } from '../support/processes.ts';
import {
  createTestDatabase,
  migratedDataDir,
  serverUrl,
  type TestDatabase,
} from '../support/test-database.ts';

/**
 * Watch progress waits in memory for its flush; a SIGTERM must write it before the process exits.
 * The server runs as a user runs it (`node src/main.ts`) with a flush interval far longer than
 * the test, so only the shutdown can have written the position found in the database afterwards.
 */
describe('the server process: progress buffered in memory is written at shutdown', () => {
  let dataDir: string;
  let testDatabase: TestDatabase | undefined;
  let env: Record<string, string>;
  const admin = { email: 'progress-admin@example.com', password: 'a long and unusual passphrase' };

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-progress-shutdown-'));
    env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
      NODE_ENV: 'production',
      DATABASE_URL: '',
      REDIS_URL: '',
      ENGAGEMENT_PROGRESS_FLUSH_MS: '60000',
    };
    if (serverUrl) {
      testDatabase = await createTestDatabase({ migrate: false });
      env.DATABASE_URL = testDatabase.url ?? '';
      env.REDIS_URL = process.env.REDIS_URL ?? '';
    } else {
      await migratedDataDir(dataDir);
    }
    for (const args of [
      ['migrate'],
      ['create-admin', '--email', admin.email, '--password', admin.password],
    ]) {
      const cli = run('src/cli/main.ts', args, env);
      assert.equal(await cli.exited, 0, cli.output().stderr);
    }
  });
  after(async () => {
    await testDatabase?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The watch_progress rows of an account, read with a plain client (the running server's socket on PGlite). */
  async function storedWhileRunning(userId: string) {
    const client = new pg.Client({ connectionString: testDatabase?.url ?? localSocketUrl(dataDir) });
    await client.connect();
    try {
      const result = await client.query<{ position_seconds: number }>(
        'select position_seconds from watch_progress where user_id = $1',
        [userId],
      );
      return result.rows;
    } finally {
      await client.end();
    }
  }

  it('on SIGTERM, flushes the waiting positions and exits 0; the position is in the database after', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = run('src/main.ts', [], { ...env, PORT: String(port), HOST: '127.0.0.1' });
    let userId: string | undefined;
    let movieId: string | undefined;
    try {
      await waitUntilListening(url, server.child, 180_000);
      const post = async (route: string, body: unknown, token?: string) => {
        const response = await fetch(`${url}${route}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token && { authorization: `Bearer ${token}` }),
          },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const adminLogin = await post('/api/auth/login', admin);
      assert.equal(adminLogin.status, 200, JSON.stringify(adminLogin.body));
      const adminToken = adminLogin.body.accessToken as string;
      const created = await post(
        '/api/admin/titles',
        { kind: 'movie', title: 'Paused at shutdown' },
        adminToken,
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      movieId = created.body.id as string;
      assert.equal((await post(`/api/admin/titles/${movieId}/publish`, {}, adminToken)).status, 200);

      const viewer = { email: 'progress-viewer@example.com', password: 'another long passphrase here' };
      assert.equal((await post('/api/auth/register', { ...viewer, name: 'Viewer' })).status, 202);
      const login = await post('/api/auth/login', viewer);
      assert.equal(login.status, 200, JSON.stringify(login.body));
      userId = (login.body.user as { id: string }).id;
      const reported = await post(
        '/api/progress',
        { itemId: movieId, positionSeconds: 1234.5, durationSeconds: 7200 },
        login.body.accessToken as string,
      );
      assert.equal(reported.status, 202, JSON.stringify(reported.body));
      assert.deepEqual(await storedWhileRunning(userId), [], 'waiting in memory, not written yet');
    } finally {
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output().stderr);
    }

    const database = serverUrl
      ? await openDatabase({
          kind: 'postgres',
          url: testDatabase?.url ?? '',
          poolMax: 1,
          statementTimeoutMs: 10_000,
        })
      : await openDatabase({ kind: 'embedded', dataDir: path.join(dataDir, 'db') });
    try {
      const rows = await database.db
        .selectFrom('watchProgress')
        .select(['itemId', 'titleId', 'positionSeconds', 'durationSeconds', 'finished'])
        .where('userId', '=', userId ?? '')
        .execute();
      assert.deepEqual(rows, [
        {
          itemId: movieId,
          titleId: movieId,
          positionSeconds: 1234.5,
          durationSeconds: 7200,
          finished: false,
        },
      ]);
    } finally {
      await database.close();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantsOf, freePort, isRunning, run, runNpm, waitUntilListening } from '../support/processes.ts';
import {
  createTestDatabase,
  migratedDataDir,
  serverUrl,
  type TestDatabase,
} from '../support/test-database.ts';

/**
 * The first `movies` of the shared MovieLens files, with their ratings, tags and links, written to
 * `dir` at run time (the data set is never copied into the repository).
 */
async function movieLensSlice(
  dir: string,
  movies: number,
  also: RegExp,
): Promise<{ dir: string; titles: number; viewers: number; ratings: number }> {
  const source = path.resolve(import.meta.dirname, '../../../shared/data/ml-latest-small');
  await mkdir(dir, { recursive: true });
  const lines = async (file: string) =>
    (await readFile(path.join(source, file), 'utf8')).trimEnd().split('\n');
  const [moviesHeader, ...movieLines] = await lines('movies.csv');
  const kept = movieLines.filter((line, index) => index < movies || also.test(line));
  const ids = new Set(kept.map((line) => line.split(',')[0]));
  await writeFile(path.join(dir, 'movies.csv'), [moviesHeader, ...kept].join('\n') + '\n');
  const filtered = async (file: string, idColumn: number) => {
    const [header, ...rows] = await lines(file);
    const mine = rows.filter((row) => ids.has(row.split(',')[idColumn]));
    await writeFile(path.join(dir, file), [header, ...mine].join('\n') + '\n');
    return mine;
  };
  const ratings = await filtered('ratings.csv', 1);
  await filtered('tags.csv', 1);
  await filtered('links.csv', 0);
  return {
    dir,
    titles: kept.length,
    viewers: new Set(ratings.map((row) => row.split(',')[0])).size,
    ratings: ratings.length,
  };
}

/**
 * Marquee as a user runs it: `node src/main.ts` and `node src/cli/main.ts`, as processes, on a
 * data directory (or, in the real-services pass, a database) of this test's own.
 */
describe('the processes: server and CLI', () => {
  let dataDir: string;
  let testDatabase: TestDatabase | undefined;
  let env: Record<string, string>;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-process-'));
    env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
      NODE_ENV: 'production',
      DATABASE_URL: '',
      REDIS_URL: '',
    };
    if (serverUrl) {
      testDatabase = await createTestDatabase({ migrate: false });
      env.DATABASE_URL = testDatabase.url ?? '';
      env.REDIS_URL = process.env.REDIS_URL ?? '';
    } else {
      await migratedDataDir(dataDir);
    }
  });
  after(async () => {
    await testDatabase?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stops with one line naming the variable when the configuration is wrong', async () => {
    const bad = run('src/main.ts', [], { ...env, PORT: 'eighty' });
    assert.equal(await bad.exited, 1);
    const { stderr } = bad.output();
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /PORT must be a whole number between 0 and 65535 \(got "eighty"\)/);
  });

  it('seed-demo fills the catalog from MovieLens with progress, and playable clips; re-running it is safe', async () => {
    // The CLI through real MovieLens files, a slice of them: the whole set (9,742 titles, 100,836
    // ratings) and its idempotency are covered in test/integration/catalog-movielens.test.ts.
    // Interstellar too: the server test below searches for it with a typo.
    const slice = await movieLensSlice(path.join(dataDir, 'movielens-slice'), 300, /^\d+,Interstellar \(/);
    const first = run('src/cli/main.ts', ['seed-demo', '--movielens', slice.dir, '--skip-videos'], env);
    assert.equal(await first.exited, 0, first.output().stderr);
    assert.match(
      first.output().stdout,
      new RegExp(`${slice.titles} MovieLens titles, ${slice.viewers} demo viewers, ${slice.ratings} ratings`),
    );
    assert.match(first.output().stdout, /non-commercial/);
    assert.match(
      first.output().stderr,
      new RegExp(`titles: 100% \\(${slice.titles}/${slice.titles}\\)`),
      'progress is shown',
    );
    // The playable clips, through the real pipeline (a short ladder keeps the suite quick).
    const videoEnv = { ...env, TRANSCODE_LADDER: '240:300,480:600', TRANSCODE_PRESET: 'ultrafast' };
    const second = run('src/cli/main.ts', ['seed-demo', '--sample'], videoEnv);
    assert.equal(await second.exited, 0, second.output().stderr);
    assert.match(second.output().stdout, /Playable demo videos: 3 transcoded, 0 already playable/);
    assert.match(second.output().stderr, /playable demo videos \(%\).*100%/);
    const third = run('src/cli/main.ts', ['seed-demo', '--sample'], videoEnv);
    assert.equal(await third.exited, 0, third.output().stderr);
    assert.match(third.output().stdout, /Playable demo videos: 0 transcoded, 3 already playable/);
  });

  it('create-admin makes an admin, idempotently, whose token passes the admin routes', async () => {
    const args = [
      'create-admin',
      '--email',
      'ops@example.com',
      '--password',
      'a long and unusual passphrase',
    ];
    const first = run('src/cli/main.ts', args, env);
    assert.equal(await first.exited, 0, first.output().stderr);
    assert.match(first.output().stdout, /Created admin ops@example.com/);
    const second = run('src/cli/main.ts', args, env);
    assert.equal(await second.exited, 0);
    assert.match(second.output().stdout, /already an admin/);
    const plan = run('src/cli/main.ts', ['set-plan', '--email', 'ops@example.com', '--plan', 'premium'], env);
    assert.equal(await plan.exited, 0, plan.output().stderr);
    assert.match(plan.output().stdout, /ops@example.com is now on Premium: up to 2160p, 4 stream/);
    const unknown = run('src/cli/main.ts', ['set-plan', '--email', 'ops@example.com', '--plan', 'gold'], env);
    assert.equal(await unknown.exited, 2);
    assert.match(unknown.output().stderr, /no plan "gold"; plans: free, basic, standard, premium/);

    const port = await freePort();
    const server = run('src/main.ts', [], { ...env, PORT: String(port), HOST: '127.0.0.1' });
    const url = `http://127.0.0.1:${port}`;
    try {
      // It listens and is ready; how fast is measured by `npm run bench:startup`, not asserted here.
      await waitUntilListening(url, server.child);
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const login = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@example.com', password: 'a long and unusual passphrase' }),
      });
      const serverLog = () => `${server.output().stdout.slice(-4000)}${server.output().stderr.slice(-4000)}`;
      assert.equal(login.status, 200, `sign-in: ${await login.clone().text()}\n${serverLog()}`);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const users = await fetch(`${url}/api/admin/users`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      assert.equal(users.status, 200, `admin users: ${await users.clone().text()}\n${serverLog()}`);
      const search = (await (await fetch(`${url}/api/videos?q=intrstellar`)).json()) as {
        items: Array<{ title: string }>;
      };
      assert.equal(search.items[0]?.title, 'Interstellar', 'the seeded catalog is browsable, typos and all');

      // Beside the running server — on the embedded database too, through its local socket.
      const beside = ['--email', 'beside@example.com', '--password', 'another long passphrase here'];
      const created = run('src/cli/main.ts', ['create-admin', ...beside], env);
      assert.equal(await created.exited, 0, created.output().stderr);
      assert.match(created.output().stdout, /Created admin beside@example.com/);
      const planned = run(
        'src/cli/main.ts',
        ['set-plan', '--email', 'beside@example.com', '--plan', 'standard'],
        env,
      );
      assert.equal(await planned.exited, 0, planned.output().stderr);
      assert.match(planned.output().stdout, /beside@example.com is now on Standard/);
      const signedIn = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'beside@example.com', password: 'another long passphrase here' }),
      });
      assert.equal(signedIn.status, 200, 'the server sees the account the CLI made while it ran');
      const token = ((await signedIn.json()) as { accessToken: string }).accessToken;
      const asAdmin = await fetch(`${url}/api/admin/users`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(asAdmin.status, 200, 'and its admin role');
    } finally {
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output().stderr);
    }
  });

  it('`npm start` stops on SIGTERM to npm itself: exit 0, no server left behind', async () => {
    // systemd, Docker and supervisors signal the process they started — here npm, not node.
    const port = await freePort();
    const npm = runNpm(['start'], { ...env, PORT: String(port), HOST: '127.0.0.1' });
    // The first start of a fresh data directory migrates it: slow on a loaded machine.
    await waitUntilListening(`http://127.0.0.1:${port}`, npm.child, 180_000);
    const pid = npm.child.pid ?? 0;
    const below = await descendantsOf(pid);
    assert.ok(below.length > 0, 'npm runs the server as its child');
    npm.child.kill('SIGTERM');
    assert.equal(await npm.exited, 0, npm.output().stderr);
    assert.deepEqual(
      below.filter((child) => isRunning(child)),
      [],
      'no process of the server outlives npm',
    );
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'nothing listens any more');
  });

  it('on SIGTERM finishes in-flight requests, refuses new ones, and exits 0 within 10 s', async () => {
    const port = await freePort();
    const server = run('src/main.ts', [], { ...env, PORT: String(port), HOST: '127.0.0.1' });
    await waitUntilListening(`http://127.0.0.1:${port}`, server.child);
    // A request in flight: its body arrives slowly, so the handler has not run when SIGTERM comes.
    const body = JSON.stringify({ email: 'slow@example.com', password: 'not the password' });
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
    );
    socket.write(body.slice(0, 10));
    await sleep(200);

    const stopping = Date.now();
    server.child.kill('SIGTERM');
    await sleep(500);
    await assert.rejects(
      fetch(`http://127.0.0.1:${port}/healthz`),
      'a new connection is refused while draining',
    );
    socket.write(body.slice(10));
    await closed;
    assert.match(response, /^HTTP\/1\.1 401 /, 'the in-flight request got its whole answer');
    assert.match(response, /AUTH_INVALID_CREDENTIALS/);
    assert.equal(await server.exited, 0, server.output().stderr);
    assert.ok(Date.now() - stopping < 10_000, `stopped in ${Date.now() - stopping} ms`);
  });
});

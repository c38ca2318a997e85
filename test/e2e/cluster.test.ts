import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { strongPassword, uniqueEmail } from '../support/accounts.ts';
import { descendantsOf, freePort, isRunning, runNpm } from '../support/processes.ts';
import { createTestDatabase, serverUrl, type TestDatabase } from '../support/test-database.ts';
import { redisUrl } from '../support/test-redis.ts';

/**
 * `npm run cluster` as an operator runs it: HAProxy in front of two API instances and a worker,
 * on PostgreSQL, Redis and s3rver. A viewer's session works through the balancer whichever
 * instance answers, both instances serve, and SIGTERM stops every process. Real services only
 * (the cluster runs on the machine's PostgreSQL and Redis), and only where HAProxy is installed
 * (.ci/run installs it).
 */
const haproxy = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].some((file) => existsSync(file));

describe('npm run cluster', { skip: !serverUrl || !redisUrl || !haproxy }, () => {
  let testDatabase: TestDatabase;
  let dataDir: string;
  let cluster: ReturnType<typeof runNpm>;
  let base: string;
  let statsUrl: string;

  before(async () => {
    testDatabase = await createTestDatabase({ migrate: false });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-cluster-'));
    // Ten ports from a free one: the balancer, the instances, stats and s3rver.
    let port = await freePort();
    while (port > 65_000) port = await freePort();
    base = `http://127.0.0.1:${port}`;
    statsUrl = `http://127.0.0.1:${port + 8}/stats;csv`;
    cluster = runNpm(['run', 'cluster'], {
      CLUSTER_PORT: String(port),
      CLUSTER_DATABASE_URL: testDatabase.url ?? '',
      CLUSTER_REDIS_URL: redisUrl ?? '',
      CLUSTER_DATA_DIR: dataDir,
      REDIS_KEY_PREFIX: `marquee-cluster-test:${randomBytes(4).toString('hex')}:`,
      LOG_LEVEL: 'warn',
    });
    const deadline = performance.now() + 120_000;
    while (!cluster.output().stdout.includes('Ctrl-C stops everything')) {
      if (cluster.child.exitCode !== null)
        throw new Error(`cluster exited: ${JSON.stringify(cluster.output())}`);
      if (performance.now() > deadline) throw new Error(`cluster not up: ${cluster.output().stdout}`);
      await sleep(250);
    }
  });
  after(async () => {
    // A failed test leaves the cluster up: stop it the way an operator would, so no instance is
    // left holding this process's pipes (the test file would never end).
    if (cluster.child.exitCode === null) {
      const processes = await descendantsOf(cluster.child.pid ?? 0);
      cluster.child.kill('SIGTERM');
      await Promise.race([cluster.exited, sleep(20_000)]);
      for (const pid of processes) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      cluster.child.kill('SIGKILL');
    }
    await testDatabase.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const served = async (): Promise<Record<string, { status: string | undefined; sessions: number }>> => {
    const csv = await (await fetch(statsUrl)).text();
    const servers: Record<string, { status: string | undefined; sessions: number }> = {};
    for (const fields of csv.split('\n').map((line) => line.split(','))) {
      // HAProxy's CSV: pxname, svname, …, stot (8th), …, status (18th).
      if (fields[0] === 'api' && fields[1]?.startsWith('api'))
        servers[fields[1]] = { status: fields[17], sessions: Number(fields[7]) };
    }
    return servers;
  };

  it('serves a session through the balancer from both instances, and stops every process on SIGTERM', async () => {
    const email = uniqueEmail('cluster');
    const password = strongPassword();
    const post = (url: string, body: object, token?: string) =>
      fetch(`${base}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
    assert.equal((await post('/api/auth/register', { email, password, name: 'Cluster' })).status, 202);
    const login = await post('/api/auth/login', { email, password });
    assert.equal(login.status, 200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const before = await served();
    for (let i = 0; i < 6; i++) {
      const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(me.status, 200);
    }
    const after = await served();
    for (const name of ['api1', 'api2']) {
      assert.match(after[name]?.status ?? '', /^UP/);
      assert.ok((after[name]?.sessions ?? 0) > (before[name]?.sessions ?? 0), `${name} served none`);
    }
    // Signed out through one instance, refused by both.
    const logout = await fetch(`${base}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    assert.equal(logout.status, 204);
    for (let i = 0; i < 4; i++) {
      const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(me.status, 401);
    }

    const pid = cluster.child.pid ?? 0;
    const processes = await descendantsOf(pid);
    assert.ok(processes.length >= 4, 'HAProxy, two instances and a worker');
    cluster.child.kill('SIGTERM');
    assert.equal(await cluster.exited, 0, cluster.output().stderr);
    await sleep(200);
    assert.deepEqual(
      processes.filter((child) => isRunning(child)),
      [],
      'no process left behind',
    );
  });
});

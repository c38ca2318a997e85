import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openLocalSocket, type LocalSocket } from '../../src/platform/db/local-socket.ts';

/** The embedded database opened to other processes' PostgreSQL clients (the CLI, psql). */
describe('the embedded database on a local socket', () => {
  let dir: string;
  let pglite: PGlite;
  let socket: LocalSocket;
  const connect = async () => {
    const client = new pg.Client({ host: dir, user: 'postgres', database: 'postgres' });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-socket-'));
    pglite = new PGlite();
    await pglite.exec('create table counts (n int)');
    socket = await openLocalSocket({ pglite, dir, idleInTransactionMs: 1000 });
  });
  after(async () => {
    await socket.close();
    await pglite.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a PostgreSQL client, parameters and errors included, on a socket only its user can open', async () => {
    assert.equal((await stat(socket.path)).mode & 0o777, 0o600);
    const client = await connect();
    try {
      assert.deepEqual((await client.query('select $1::int + 1 as n', [41])).rows, [{ n: 42 }]);
      await assert.rejects(client.query('select * from missing'), /relation "missing" does not exist/);
      assert.deepEqual(
        (await client.query('select 1 as still')).rows,
        [{ still: 1 }],
        'usable after an error',
      );
    } finally {
      await client.end();
    }
  });

  it("runs a client's transaction alone: the server's own statements wait for its end", async () => {
    const client = await connect();
    try {
      await client.query('begin');
      await client.query('insert into counts values (1)');
      let seen: number | undefined;
      const serverRead = pglite
        .query<{ n: number }>('select count(*)::int as n from counts')
        .then((result) => (seen = result.rows[0]?.n));
      await sleep(200);
      assert.equal(seen, undefined, 'the server waited instead of landing inside the transaction');
      await client.query('rollback');
      await serverRead;
      assert.equal(seen, 0, 'and then saw the rolled-back state');
    } finally {
      await client.end();
    }
  });

  it('rolls back a transaction its client abandons, and gives the session back', async () => {
    const client = await connect();
    await client.query('begin');
    await client.query('insert into counts values (2)');
    // The client vanishes mid-transaction (killed, network gone): no COMMIT, no Terminate.
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const { rows } = await pglite.query<{ n: number }>('select count(*)::int as n from counts');
    assert.equal(rows[0]?.n, 0);
    assert.equal(pglite.isInTransaction(), false);
  });

  it('rolls back a transaction left idle, so the server is never held for long', async () => {
    const client = await connect();
    await client.query('begin');
    await client.query('insert into counts values (3)');
    const started = performance.now();
    const { rows } = await pglite.query<{ n: number }>('select count(*)::int as n from counts');
    assert.equal(rows[0]?.n, 0);
    assert.ok(performance.now() - started >= 500, 'the server waited for the idle timeout first');
    await assert.rejects(client.query('select 1'));
    await client.end().catch(() => {});
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrator.ts';
import { OutboxMailer } from '../../src/platform/mail/outbox.mail.ts';
import { run } from '../support/processes.ts';
import {
  createTestDatabase,
  migratedDataDir,
  serverUrl,
  type TestDatabase,
} from '../support/test-database.ts';

/** `marquee mail`: the operator reads the outbox in full — links the admin API redacts. */
describe('marquee mail', () => {
  let dataDir: string;
  let testDatabase: TestDatabase | undefined;
  let env: Record<string, string>;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-mail-'));
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_PRETTY: 'false', DATABASE_URL: '', REDIS_URL: '' };
    if (serverUrl) {
      testDatabase = await createTestDatabase({ migrate: false });
      env.DATABASE_URL = testDatabase.url ?? '';
    }
    if (!serverUrl) await migratedDataDir(dataDir);
    const database = await openDatabase(
      serverUrl
        ? { kind: 'postgres', url: env.DATABASE_URL ?? '', poolMax: 2, statementTimeoutMs: 10_000 }
        : { kind: 'embedded', dataDir: path.join(dataDir, 'db') },
    );
    try {
      await migrate(database);
      const outbox = new OutboxMailer(database.db);
      await outbox.send({
        to: 'ana@example.com',
        subject: 'Reset your password',
        text: 'Open http://localhost:3000/reset-password?token=s3cr3t-link-token-0123456789',
        carriesSecret: true,
      });
      await outbox.send({
        to: 'bob@example.com',
        subject: 'Welcome',
        text: 'Hello Bob',
        carriesSecret: false,
      });
    } finally {
      await database.close();
    }
  });
  after(async () => {
    await testDatabase?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the mail to one address in full, link included', async () => {
    const cli = run('src/cli/main.ts', ['mail', '--to', 'Ana@Example.com'], env);
    assert.equal(await cli.exited, 0, cli.output().stderr);
    const { stdout } = cli.output();
    assert.match(stdout, /to ana@example\.com/);
    assert.match(stdout, /Subject: Reset your password/);
    assert.match(stdout, /reset-password\?token=s3cr3t-link-token-0123456789/);
    assert.doesNotMatch(stdout, /Hello Bob/);
  });

  it('prints the whole outbox, and refuses a bad address with its usage', async () => {
    const all = run('src/cli/main.ts', ['mail'], env);
    assert.equal(await all.exited, 0, all.output().stderr);
    assert.match(all.output().stdout, /s3cr3t-link-token/);
    assert.match(all.output().stdout, /Hello Bob/);
    const bad = run('src/cli/main.ts', ['mail', '--to', 'nobody'], env);
    assert.equal(await bad.exited, 2);
    assert.match(bad.output().stderr, /--to must be a valid email address/);
  });
});

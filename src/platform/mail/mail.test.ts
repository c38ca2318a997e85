import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import type { Mailer } from './mail.port.ts';
import { OutboxMailer } from './outbox.mail.ts';
import { SmtpMailer } from './smtp.mail.ts';

interface Delivered {
  to: string[];
  raw: string;
}

/** What every Mailer must do: deliver the message so that the recipient can read it. */
function mailerContract(
  name: string,
  open: () => Promise<{ mailer: Mailer; delivered(): Promise<Delivered[]>; close(): Promise<void> }>,
) {
  describe(`Mailer contract: ${name}`, () => {
    let fixture: Awaited<ReturnType<typeof open>>;
    before(async () => {
      fixture = await open();
    });
    after(() => fixture.close());

    it('delivers a message with its recipient, subject, text and html', async () => {
      await fixture.mailer.send({
        to: 'ana@example.com',
        subject: 'Verify your email',
        text: 'Your code is 123456',
        html: '<p>Your code is <b>123456</b></p>',
        carriesSecret: true,
      });
      const [message] = await fixture.delivered();
      assert.ok(message);
      assert.deepEqual(message.to, ['ana@example.com']);
      assert.match(message.raw, /Verify your email/);
      assert.match(message.raw, /Your code is 123456/);
      assert.match(message.raw, /<b>123456<\/b>/);
    });

    it('answers ping', async () => {
      await fixture.mailer.ping();
    });
  });
}

mailerContract('outbox table', async () => {
  let testDatabase: TestDatabase | undefined = await createTestDatabase();
  const db = testDatabase.database.db;
  return {
    mailer: new OutboxMailer(db),
    async delivered() {
      const rows = await db.selectFrom('mailOutbox').selectAll().orderBy('createdAt').execute();
      return rows.map((row) => ({
        to: [row.toAddress],
        raw: `${row.subject}\n${row.textBody}\n${row.htmlBody ?? ''}`,
      }));
    },
    async close() {
      await testDatabase?.drop();
      testDatabase = undefined;
    },
  };
});

mailerContract('SMTP (smtp-server on loopback)', async () => {
  const received: Delivered[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      text(stream).then(
        (raw) => {
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const mailer = new SmtpMailer({ url: `smtp://127.0.0.1:${port}`, from: 'Marquee <no-reply@localhost>' });
  return {
    mailer,
    delivered: async () => received,
    async close() {
      await mailer.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});

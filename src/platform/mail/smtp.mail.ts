import nodemailer, { type Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from './mail.port.ts';

/** SMTP through nodemailer's pooled transport. */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: { url: string; from: string }) {
    this.#from = options.from;
    this.#transport = nodemailer.createTransport({ url: options.url, pool: true, maxConnections: 3 });
  }

  async send(message: MailMessage): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
  }

  async ping(): Promise<void> {
    await this.#transport.verify();
  }

  close(): Promise<void> {
    this.#transport.close();
    return Promise.resolve();
  }
}

/** Outgoing mail. SMTP when SMTP_URL is set; otherwise an outbox table an admin can read. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Outgoing mail. SMTP when SMTP_URL is set; otherwise an outbox table an admin can read. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * The mail carries a secret for its recipient (a reset, verification or sign-in link): whoever
   * reads it can act as them, so the outbox never shows it in full to anyone but the operator.
   */
  carriesSecret: boolean;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A mail as the outbox holds it. */
export interface OutboxEntry extends Required<Omit<MailMessage, 'html'>> {
  id: string;
  html: string | null;
  createdAt: Date;
}

/** Reading the mail outbox (embedded mode's mail, newest first). */
export interface MailOutbox {
  list(query: {
    to?: string | undefined;
    limit: number;
    /** Keyset: entries strictly older than this one. */
    after?: { createdAt: Date; id: string } | undefined;
  }): Promise<OutboxEntry[]>;
}

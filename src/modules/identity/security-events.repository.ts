import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type SecurityEventKind =
  | 'login_succeeded'
  | 'login_failed'
  | 'login_locked'
  | 'refresh_token_reused'
  | 'password_changed'
  | 'password_change_failed'
  | 'password_reset'
  | 'email_verified'
  | 'session_revoked'
  | 'all_sessions_revoked'
  | 'oidc_linked';

export interface SecurityEvent {
  userId: string | null;
  sessionId?: string | null;
  kind: SecurityEventKind;
  ip: string | null;
  userAgent: string | null;
  details?: Record<string, unknown>;
}

/** Security-relevant things that happened to an account; its owner can read them (GET /api/me/security-events). */
export class SecurityEventsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async record(event: SecurityEvent, executor: Executor = this.#db): Promise<void> {
    await executor
      .insertInto('securityEvents')
      .values({
        userId: event.userId,
        sessionId: event.sessionId ?? null,
        kind: event.kind,
        ip: event.ip,
        userAgent: event.userAgent?.slice(0, 400) ?? null,
        details: JSON.stringify(event.details ?? {}),
      })
      .execute();
  }

  /** The account's latest events, newest first. */
  listOf(userId: string, limit: number) {
    return this.#db
      .selectFrom('securityEvents')
      .select(['id', 'kind', 'ip', 'userAgent', 'details', 'createdAt'])
      .where('userId', '=', userId)
      .orderBy('createdAt', 'desc')
      .limit(limit)
      .execute();
  }
}

import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';

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
export async function recordSecurityEvent(db: Kysely<DB>, event: SecurityEvent): Promise<void> {
  await db
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

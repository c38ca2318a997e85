import type { Kysely } from 'kysely';
import { systemClock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { AuditLog } from '../audit/index.ts';
import type { Role } from './access.ts';
import { assertAcceptablePassword, hashPassword, verifyPassword } from './passwords.ts';
import { ProfilesRepository } from './profiles.repository.ts';
import { UsersRepository } from './users.repository.ts';

export interface EnsureAdminResult {
  userId: string;
  created: boolean;
  promoted: boolean;
  passwordChanged: boolean;
}

/**
 * `marquee create-admin`: makes sure an account with this email exists, holds the admin role and
 * signs in with this password. Running it again changes nothing; on an existing account it
 * promotes it (and sets the password given). Audited as a system action. An operator's command:
 * the system clock.
 */
export async function ensureAdmin(
  db: Kysely<DB>,
  audit: AuditLog,
  input: { email: string; password: string; name?: string | undefined },
): Promise<EnsureAdminResult> {
  assertAcceptablePassword(input.password, { email: input.email });
  const passwordHash = await hashPassword(input.password);
  const users = new UsersRepository(db, systemClock);
  const profiles = new ProfilesRepository(db, systemClock);
  return transactorFor(db).run(async (trx) => {
    const context = { actor: { type: 'system' as const, id: 'cli' }, ip: null, requestId: null };
    const existing = await users.findByEmail(input.email, trx);
    if (!existing) {
      const user = await users.create(
        {
          email: input.email,
          name: input.name ?? 'Administrator',
          passwordHash,
          emailVerified: true,
          roles: ['admin'],
        },
        trx,
      );
      await profiles.insertFirst([user], trx);
      await audit.record(trx, context, {
        action: 'user.created_admin',
        targetType: 'user',
        targetId: user.id,
        after: { email: user.email, roles: user.roles },
      });
      return { userId: user.id, created: true, promoted: true, passwordChanged: true };
    }
    const roles = existing.roles as Role[];
    const promoted = !roles.includes('admin');
    const passwordChanged =
      !existing.passwordHash || !(await verifyPassword(existing.passwordHash, input.password));
    if (promoted || passwordChanged) {
      await users.update(
        existing.id,
        {
          ...(promoted && { roles: [...roles, 'admin'] }),
          ...(passwordChanged && { passwordHash }),
          disabled: false,
        },
        trx,
      );
      await audit.record(trx, context, {
        action: 'user.promoted_admin',
        targetType: 'user',
        targetId: existing.id,
        before: { roles },
        after: { roles: promoted ? [...roles, 'admin'] : roles, passwordChanged },
      });
    }
    return { userId: existing.id, created: false, promoted, passwordChanged };
  });
}

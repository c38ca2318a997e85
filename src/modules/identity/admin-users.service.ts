import type { Transactor } from '../../platform/db/transactor.ts';
import type { Page } from '../../shared/pagination.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import { canAssignRoles, holdsAllOf, type Actor, type Role } from './access.ts';
import { Forbidden, RoleNotAssignable, SessionNotFound, UserNotFound } from './identity.errors.ts';
import type { ApiKeysService } from './api-keys.service.ts';
import type { SessionStates } from './session-states.ts';
import type { SessionRow, SessionsRepository } from './sessions.repository.ts';
import { toUser, type User, type UsersRepository } from './users.repository.ts';

/** Support and admin work on accounts: find them, change roles, disable them. Every change is audited. */
export class AdminUsersService {
  readonly #users: UsersRepository;
  readonly #sessionRows: SessionsRepository;
  readonly #transactor: Transactor;
  readonly #sessions: SessionStates;
  readonly #audit: AuditLog;
  readonly #apiKeys: ApiKeysService;

  constructor(options: {
    users: UsersRepository;
    sessionRows: SessionsRepository;
    transactor: Transactor;
    sessions: SessionStates;
    audit: AuditLog;
    apiKeys: ApiKeysService;
  }) {
    this.#users = options.users;
    this.#sessionRows = options.sessionRows;
    this.#transactor = options.transactor;
    this.#apiKeys = options.apiKeys;
    this.#sessions = options.sessions;
    this.#audit = options.audit;
  }

  search(query: {
    q?: string | undefined;
    role?: Role | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<Page<User & { activeSessions: number }>> {
    return this.#users.search(query);
  }

  async update(
    actor: Actor,
    userId: string,
    change: { roles?: Role[] | undefined; disabled?: boolean | undefined },
    context: RequestContext,
  ): Promise<User> {
    if (change.roles && !canAssignRoles(actor, change.roles)) throw RoleNotAssignable();
    if (actor.kind === 'user' && actor.userId === userId && change.disabled)
      throw Forbidden('You cannot disable your own account');
    const { user, revoked } = await this.#transactor.run(async (trx) => {
      const before = await this.#users.findById(userId, trx);
      if (!before) throw UserNotFound();
      // Privilege is compared on every change: an actor (person or key) acts only on accounts
      // with no more rights than its own — no re-roling, disabling or enabling an admin.
      if (!holdsAllOf(actor, before.roles as Role[]))
        throw Forbidden('You may not change an account with more rights than yours');
      const after = await this.#users.update(
        userId,
        {
          ...(change.roles && { roles: [...new Set(change.roles)] }),
          ...(change.disabled !== undefined && { disabled: change.disabled }),
        },
        trx,
      );
      if (!after) throw UserNotFound();
      const revokedIds = change.disabled
        ? await this.#sessionRows.revoke({ userId }, 'account_disabled', trx)
        : [];
      await this.#audit.record(trx, context, {
        action: 'user.updated',
        targetType: 'user',
        targetId: userId,
        before: { roles: before.roles, disabled: before.disabledAt !== null },
        after: { roles: after.roles, disabled: after.disabledAt !== null },
      });
      return { user: toUser(after), revoked: revokedIds };
    });
    await this.#sessions.markRevoked(revoked);
    await this.#sessions.forgetUser(userId);
    await this.#apiKeys.forgetCreatedBy(userId);
    return user;
  }

  /**
   * What another feature asks before staff read or change something of an account (its download
   * devices): USER_NOT_FOUND for no such account; for a change, FORBIDDEN on an account with more
   * rights than the actor's — the rule of every change here.
   */
  async checkStaffAccess(actor: Actor, userId: string, intent: 'read' | 'change'): Promise<void> {
    const user = await this.#users.findById(userId);
    if (!user) throw UserNotFound();
    if (intent === 'change' && !holdsAllOf(actor, user.roles as Role[]))
      throw Forbidden('You may not change an account with more rights than yours');
  }

  /** An account's signed-in devices (sessions), most recently seen first. */
  async listSessions(userId: string): Promise<SessionRow[]> {
    if (!(await this.#users.findById(userId))) throw UserNotFound();
    return this.#sessionRows.listActive(userId);
  }

  /**
   * Signs one device of an account out (a lost phone, a shared computer). The same privilege rule
   * as every change to an account: only on accounts with no more rights than the actor's.
   */
  async revokeSession(
    actor: Actor,
    target: { userId: string; sessionId: string },
    context: RequestContext,
  ): Promise<void> {
    const revoked = await this.#transactor.run(async (trx) => {
      const user = await this.#users.findById(target.userId, trx);
      if (!user) throw UserNotFound();
      if (!holdsAllOf(actor, user.roles as Role[]))
        throw Forbidden('You may not change an account with more rights than yours');
      const session = await this.#sessionRows.findById(target.sessionId, trx);
      // Another account's session is "not found" here too: the URL names whose it is.
      if (!session || session.userId !== target.userId || session.revokedAt) throw SessionNotFound();
      const ids = await this.#sessionRows.revoke({ ids: [target.sessionId] }, 'revoked_by_staff', trx);
      await this.#audit.record(trx, context, {
        action: 'user.session_revoked',
        targetType: 'user',
        targetId: target.userId,
        before: { sessionId: session.id, deviceName: session.deviceName },
        after: null,
      });
      return ids;
    });
    await this.#sessions.markRevoked(revoked);
  }
}

import type { Clock } from '../../platform/clock.ts';
import { isReferencedElsewhere } from '../../platform/db/pg-errors.ts';
import type { Executor, Transactor } from '../../platform/db/transactor.ts';
import type { Page } from '../../shared/pagination.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import type {
  CommentModerationRepository,
  ModerationFilter,
  ReportReason,
} from './comment-moderation.repository.ts';
import type { CommentRow, CommentsRepository } from './comments.repository.ts';
import { AccountNotFound, CommentNotFound, CommentNotHidden } from './engagement.errors.ts';
import type { EngagementEvents } from './engagement.events.ts';

/** A comment as the moderation queue shows it: who wrote it, its text, and its open reports. */
export interface ModerationItem {
  id: string;
  titleId: string;
  parentId: string | null;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
  hiddenAt: Date | null;
  /** Open (not dismissed) reports. */
  reportCount: number;
  reports: Array<{ reason: ReportReason; count: number }>;
  lastReportedAt: Date | null;
}

export interface CommentModerationDeps {
  comments: CommentsRepository;
  moderation: CommentModerationRepository;
  transactor: Transactor;
  events: EngagementEvents;
  clock: Clock;
  audit: AuditLog;
}

/**
 * What `support` and `admin` (`comments:moderate`) do with comments: the queue of hidden and
 * reported ones, restoring a hidden comment, dismissing reports, removing a comment, banning an
 * account from commenting. Every change is audited in its transaction.
 */
export class CommentModerationService {
  readonly #deps: CommentModerationDeps;

  constructor(deps: CommentModerationDeps) {
    this.#deps = deps;
  }

  async queue(query: {
    filter: ModerationFilter;
    cursor?: string | undefined;
    limit: number;
  }): Promise<Page<ModerationItem>> {
    const page = await this.#deps.moderation.queue(query.filter, {
      cursor: query.cursor,
      limit: query.limit,
    });
    const reports = await this.#deps.moderation.openReports(page.items.map((row) => row.id));
    return {
      items: page.items.map((row) => {
        const own = reports.filter((report) => report.commentId === row.id);
        const last = own.reduce<Date | null>(
          (latest, report) => (!latest || report.lastReportedAt > latest ? report.lastReportedAt : latest),
          null,
        );
        return {
          id: row.id,
          titleId: row.titleId,
          parentId: row.parentId,
          authorId: row.userId,
          authorName: row.authorName,
          body: row.body,
          createdAt: row.createdAt,
          editedAt: row.editedAt,
          hiddenAt: row.hiddenAt,
          reportCount: row.reportCount,
          reports: own.map((report) => ({ reason: report.reason, count: report.count })),
          lastReportedAt: last,
        };
      }),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Shows a hidden comment again and dismisses its open reports (else the next report would hide
   * it at once); its reporters cannot report it again.
   */
  async restore(context: RequestContext, id: string): Promise<void> {
    const at = this.#deps.clock.now();
    const row = await this.#deps.transactor.run(async (trx) => {
      const found = await this.#moderatable(id, trx);
      if (!found.hiddenAt) throw CommentNotHidden();
      await this.#deps.moderation.unhide(id, trx);
      const dismissed = await this.#deps.moderation.dismissReports({ id, by: moderatorOf(context), at }, trx);
      await this.#deps.audit.record(trx, context, {
        action: 'comment.restored',
        targetType: 'comment',
        targetId: id,
        before: { hiddenAt: found.hiddenAt.toISOString(), reportCount: found.reportCount },
        after: { hiddenAt: null, dismissedReports: dismissed },
      });
      return found;
    });
    await this.#deps.events.publish({
      type: 'CommentRestored',
      userId: row.userId,
      profileKey: row.profileKey,
      at: at.toISOString(),
      commentId: id,
      titleId: row.titleId,
    });
  }

  /** Dismisses a comment's open reports, leaving it as it is (shown or hidden). */
  async dismissReports(context: RequestContext, id: string): Promise<{ dismissed: number }> {
    return this.#deps.transactor.run(async (trx) => {
      await this.#moderatable(id, trx);
      const dismissed = await this.#deps.moderation.dismissReports(
        { id, by: moderatorOf(context), at: this.#deps.clock.now() },
        trx,
      );
      if (dismissed > 0) {
        await this.#deps.audit.record(trx, context, {
          action: 'comment_reports.dismissed',
          targetType: 'comment',
          targetId: id,
          after: { dismissed },
        });
      }
      return { dismissed };
    });
  }

  /** A moderator removes a comment; audited. */
  async remove(context: RequestContext, id: string): Promise<void> {
    const at = this.#deps.clock.now();
    const row = await this.#deps.transactor.run(async (trx) => {
      const found = await this.#deps.comments.find(id, trx);
      if (!found || !(await this.#deps.comments.remove({ id, by: moderatorOf(context), at }, trx))) {
        throw CommentNotFound();
      }
      await this.#deps.audit.record(trx, context, {
        action: 'comment.removed',
        targetType: 'comment',
        targetId: id,
        before: { titleId: found.titleId, authorId: found.userId, body: found.body },
      });
      return found;
    });
    await this.#deps.events.publish({
      type: 'CommentHidden',
      userId: row.userId,
      profileKey: row.profileKey,
      at: at.toISOString(),
      commentId: id,
      titleId: row.titleId,
      reason: 'moderator',
    });
  }

  /** Stops an account from commenting; audited. */
  async ban(context: RequestContext, userId: string): Promise<void> {
    try {
      await this.#deps.transactor.run(async (trx) => {
        await this.#deps.comments.ban({ userId, by: moderatorOf(context), at: this.#deps.clock.now() }, trx);
        await this.#deps.audit.record(trx, context, {
          action: 'comment_ban.created',
          targetType: 'user',
          targetId: userId,
        });
      });
    } catch (error) {
      if (isReferencedElsewhere(error)) throw AccountNotFound();
      throw error;
    }
  }

  async unban(context: RequestContext, userId: string): Promise<void> {
    await this.#deps.transactor.run(async (trx) => {
      if (!(await this.#deps.comments.unban(userId, trx)))
        throw AccountNotFound('This account is not banned');
      await this.#deps.audit.record(trx, context, {
        action: 'comment_ban.removed',
        targetType: 'user',
        targetId: userId,
      });
    });
  }

  /** The comment, locked for this change: not removed and not deleted by its author, else 404. */
  async #moderatable(id: string, trx: Executor): Promise<CommentRow> {
    const row = await this.#deps.moderation.lock(id, trx);
    if (!row || row.removedAt || row.deletedAt) throw CommentNotFound();
    return row;
  }
}

/** The moderating person; null for a service key holding the permission. */
const moderatorOf = (context: RequestContext): string | null =>
  context.actor.type === 'user' ? context.actor.id : null;

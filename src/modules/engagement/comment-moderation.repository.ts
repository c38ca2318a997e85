import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { newestFirstPage } from '../../platform/db/keyset.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { Page } from '../../shared/pagination.ts';
import type { CommentRow } from './comments.repository.ts';

export const REPORT_REASONS = ['spam', 'harassment', 'spoiler', 'inappropriate', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export type ModerationFilter = 'hidden' | 'reported' | 'all';

/** The open reports of one comment, by reason. */
export interface OpenReports {
  commentId: string;
  reason: ReportReason;
  count: number;
  lastReportedAt: Date;
}

/** The moderation queue's reads and the moderators' writes on reports. SQL only. */
export class CommentModerationRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /**
   * Comments a moderator should look at, newest first: hidden (by reports), or with open reports,
   * or both — never removed ones, nor ones their author deleted (nothing left to moderate).
   */
  queue(
    filter: ModerationFilter,
    page: { cursor: string | undefined; limit: number },
    executor: Executor = this.#db,
  ): Promise<Page<CommentRow>> {
    let query = executor
      .selectFrom('comments')
      .selectAll()
      .where('removedAt', 'is', null)
      .where('deletedAt', 'is', null);
    query =
      filter === 'hidden'
        ? query.where('hiddenAt', 'is not', null)
        : filter === 'reported'
          ? query.where('reportCount', '>', 0)
          : query.where((eb) => eb.or([eb('hiddenAt', 'is not', null), eb('reportCount', '>', 0)]));
    return newestFirstPage(query, { ...page, table: 'comments', map: (row) => row });
  }

  /** The open (not dismissed) reports of these comments, counted by reason. */
  async openReports(commentIds: readonly string[], executor: Executor = this.#db): Promise<OpenReports[]> {
    if (commentIds.length === 0) return [];
    const rows = await executor
      .selectFrom('commentReports')
      .select((eb) => [
        'commentId',
        'reason',
        eb.fn.countAll<string>().as('count'),
        eb.fn.max('createdAt').as('lastReportedAt'),
      ])
      .where('commentId', 'in', commentIds)
      .where('dismissedAt', 'is', null)
      .groupBy(['commentId', 'reason'])
      .orderBy('commentId')
      .orderBy('reason')
      .execute();
    return rows.map((row) => ({
      commentId: row.commentId,
      reason: row.reason as ReportReason,
      count: Number(row.count),
      lastReportedAt: row.lastReportedAt,
    }));
  }

  /**
   * Dismisses a comment's open reports: they stop counting (the reporters cannot report it again).
   * Returns how many were open.
   */
  async dismissReports(
    options: { id: string; by: string | null; at: Date },
    executor: Executor,
  ): Promise<number> {
    const result = await executor
      .updateTable('commentReports')
      .set({ dismissedAt: options.at, dismissedBy: options.by })
      .where('commentId', '=', options.id)
      .where('dismissedAt', 'is', null)
      .executeTakeFirst();
    await executor.updateTable('comments').set({ reportCount: 0 }).where('id', '=', options.id).execute();
    return Number(result.numUpdatedRows);
  }

  /** Shows a hidden comment again; false when it was not hidden (or is removed). */
  async unhide(id: string, executor: Executor): Promise<boolean> {
    const result = await executor
      .updateTable('comments')
      .set({ hiddenAt: null })
      .where('id', '=', id)
      .where('hiddenAt', 'is not', null)
      .where('removedAt', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Locks the comment's row for a moderator's change (two moderators act one after the other). */
  lock(id: string, executor: Executor): Promise<CommentRow | undefined> {
    return executor.selectFrom('comments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }
}
